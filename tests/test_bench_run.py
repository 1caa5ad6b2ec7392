"""The benchmark runner (bench/run.py): its memory readings and the environment of jgview's runs.

PSS (proportional set size) is read from /proc and summed over a process tree; forked workers
that share their parent's pages must count them once in the PSS sum and several times in the
RSS sum. Every jgview child runs without PYTHONDONTWRITEBYTECODE, after an untimed warm-up."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import load_bench

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


run = load_bench("run")


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as f:
        return int(f.read().split()[1]) * run.PAGE // 1024


# ------------------------------------------------------------------------------------------
# PSS


def test_pss_of_this_process_is_positive_and_at_most_its_rss():
    before = _rss_kb(os.getpid())
    pss = run.read_pss_kb(os.getpid())
    after = _rss_kb(os.getpid())
    assert pss is not None and pss > 0
    assert pss <= max(before, after)


def test_sampler_on_this_process_reads_both_sums():
    rss, pss = run._TreeSampler([os.getpid()])._sample()
    assert rss > 0
    assert pss is not None and 0 < pss <= rss


def test_pss_from_smaps_rollup_else_summed_from_smaps(tmp_path):
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "smaps_rollup").write_text(
        "00400000-7ffd0000 ---p 00000000 00:00 0 [rollup]\nRss:  1716 kB\nPss:  582 kB\nPss_Anon:  112 kB\n")
    (tmp_path / "7" / "smaps").write_text("Pss: 1 kB\n")  # the rollup wins
    assert run.read_pss_kb(7, proc=str(tmp_path)) == 582
    (tmp_path / "8").mkdir()
    (tmp_path / "8" / "smaps").write_text(
        "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon\nRss: 100 kB\nPss: 40 kB\n"
        "Pss_Dirty: 7 kB\n"
        "00651000-00652000 rw-p 00051000 08:02 173521 /usr/bin/dbus-daemon\nRss: 4 kB\nPss: 4 kB\n")
    assert run.read_pss_kb(8, proc=str(tmp_path)) == 44  # Pss_Dirty is not a Pss line
    assert run.read_pss_kb(9, proc=str(tmp_path)) is None  # no such process
    (tmp_path / "10").mkdir()
    (tmp_path / "10" / "smaps_rollup").write_text("Rss: 10 kB\nPss: garbage\n")
    assert run.read_pss_kb(10, proc=str(tmp_path)) is None


FORKING_CHILD = """
import os, time
block = b"x" * (40 << 20)           # 40 MB, touched: resident in the parent
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:                    # shares the block copy-on-write, never writes it
        time.sleep(0.6)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("children_files", [True, False], ids=["task-children", "proc-scan"])
def test_forked_workers_count_shared_pages_once_in_pss(monkeypatch, children_files):
    if children_files and not run._HAVE_CHILDREN:
        pytest.skip("no /proc/PID/task/TID/children on this kernel")
    monkeypatch.setattr(run, "_HAVE_CHILDREN", children_files)
    r = run.run_pipeline([[sys.executable, "-c", FORKING_CHILD]], sample_tree=True, timeout=30)
    assert r.rc == 0
    assert r.pss_tree_kb is not None
    # three processes hold the 40 MB block: RSS counts it three times, PSS once
    assert r.rss_tree_kb > 3 * 40 * 1024
    assert 40 * 1024 < r.pss_tree_kb < r.rss_tree_kb - 60 * 1024


def test_a_run_that_is_not_sampled_has_no_tree_readings():
    r = run.run_pipeline([[sys.executable, "-c", "pass"]])
    assert r.rss_tree_kb == 0 and r.pss_tree_kb is None


def test_memory_target_uses_pss_then_rss_tree_then_rss():
    name, v, lim, _ = run.peak_memory({"rss_mb": 50.0, "rss_tree_mb": 135.0, "pss_tree_mb": 80.0})
    assert (name, v, lim) == ("peak memory, MB (PSS, process tree)", 80.0, run.TARGETS["rss_mb"])
    name, v, _, _ = run.peak_memory({"rss_mb": 50.0, "rss_tree_mb": 135.0, "pss_tree_mb": None})
    assert (name, v) == ("peak memory, MB (RSS, process tree)", 135.0)
    name, v, _, _ = run.peak_memory({"rss_mb": 50.0, "rss_tree_mb": 0.0, "pss_tree_mb": None})
    assert "RSS" in name and v == 50.0


# ------------------------------------------------------------------------------------------
# jgview's environment: bytecode is cached


def test_jgview_env_drops_only_pythondontwritebytecode(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("JGVIEW_BENCH_PROBE", "kept")
    env = run.jgview_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["JGVIEW_BENCH_PROBE"] == "kept"
    assert os.environ["PYTHONDONTWRITEBYTECODE"] == "1"  # this process's environment is untouched
    assert {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} == env


def test_every_jgview_child_runs_without_the_variable_after_a_warm_up(monkeypatch, tmp_path):
    """measure() with run_pipeline recorded: every jgview command gets the cleaned environment,
    and an untimed ``--help`` and tiny-log run come before the first timed (sampled) run."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    files = []
    for name in ("keycloak-0.log", "keycloak-1.log"):
        p = tmp_path / name
        p.write_text(run.TINY_LOG)
        files.append(str(p))
    jg_cmd = ["/nonexistent/jgview", "--json"]
    calls: list[tuple[list[list[str]], dict | None, bool]] = []
    answer = json.dumps({"verdict": "alone", "channels": []}).encode()

    def fake_run_pipeline(cmds, *, env=None, cores=None, sample_tree=False, measure_rss=False, timeout=1800.0):
        calls.append((cmds, env, sample_tree))
        is_grep = cmds[0][0] != jg_cmd[0]
        return run.Run(wall=0.01, rc=0, rss_kb=1000, rss_tree_kb=3000 if sample_tree else 0,
                       pss_tree_kb=2000 if sample_tree else None, stdout=b"2\n" if is_grep else answer)

    monkeypatch.setattr(run, "run_pipeline", fake_run_pipeline)
    res = run.measure(files, jg_cmd, rounds=2, cores=None, timeout=10, scaling=True, startup_runs=2,
                      log=lambda _m: None)
    jg_calls = [(cmds, env, sampled) for cmds, env, sampled in calls if cmds[0][0] == jg_cmd[0]]
    # 2 warm-ups + 2 timed + 2 x 2 scaling (first file, first two files) + 2 x 2 startup
    assert len(jg_calls) == 12
    assert res["two_files"]["files"] == files[:2] and res["two_files"]["ratio_two_to_one"] == 1.0
    for cmds, env, _ in jg_calls:
        assert env is not None and "PYTHONDONTWRITEBYTECODE" not in env, cmds
    first_timed = next(i for i, (_c, _e, sampled) in enumerate(jg_calls) if sampled)
    warm = [c[0] for c, _e, _s in jg_calls[:first_timed]]
    assert warm[0] == ["/nonexistent/jgview", "--help"]
    assert warm[1][:2] == jg_cmd and warm[1][2].endswith(".log") and warm[1][2] not in files
    # grep keeps its own environment (LC_ALL=C), the variable untouched there
    grep_envs = [env for cmds, env, _ in calls if cmds[0][0] != jg_cmd[0]]
    assert grep_envs and all(e["LC_ALL"] == "C" for e in grep_envs)
    assert res["jgview_env_removed"] == ["PYTHONDONTWRITEBYTECODE"]
    assert res["jgview"]["pss_tree_mb"] == pytest.approx(2000 / 1024)
    assert res["jgview"]["rss_tree_mb"] == pytest.approx(3000 / 1024)


def test_a_child_really_sees_the_cleaned_environment(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    probe = "import os, sys; print(os.environ.get('PYTHONDONTWRITEBYTECODE'), sys.dont_write_bytecode)"
    r = run.run_pipeline([[sys.executable, "-c", probe]], env=run.jgview_env(), timeout=30)
    assert r.stdout.split() == [b"None", b"False"]


# ------------------------------------------------------------------------------------------
# the table and --json, end to end on a tiny generated directory


def test_table_and_json_report_pss(tmp_path, capsys):
    gen = load_bench("generate")
    out = tmp_path / "out"
    gen.generate(str(out), size=100 * 1024, pods_n=2, jobs=1)
    jg = f"{sys.executable} -m jgview --json"
    rc = run.main([str(out), "--rounds", "1", "--startup-runs", "1", "--jgview-cmd", jg, "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err[-2000:]
    doc = json.loads(captured.out)
    j = doc["jgview"]
    assert j["pss_tree_mb"] is not None and 0 < j["pss_tree_mb"] <= j["rss_tree_mb"]
    mem = [t for t in doc["targets"] if t["name"].startswith("peak memory")]
    assert mem == [{"name": "peak memory, MB (PSS, process tree)", "value": j["pss_tree_mb"],
                    "limit": run.TARGETS["rss_mb"], "met": j["pss_tree_mb"] <= run.TARGETS["rss_mb"]}]
    header = next(line for line in captured.err.splitlines() if "median" in line and "RSS tree" in line)
    assert header.rstrip().endswith("PSS tree")
    progress = [line for line in captured.err.splitlines() if line.startswith("round 1/1: jgview")]
    assert progress and "pss-tree=" in progress[0]
