"""The benchmark runner (bench/run.py): its memory readings, which runs are timed and which
sampled, the scaling runs, and the environment of jgview's runs.

PSS (proportional set size) is read from /proc and summed over a process tree; forked workers
that share their parent's pages must count them once in the PSS sum and several times in the
RSS sum. Timed jgview runs are never sampled (the sampler takes CPU from jgview's workers); the
tree numbers come from untimed memory rounds. ``--scaling`` times the first file with
``JGVIEW_WORKERS=1``, and the two-files target is checked against it. Every jgview child runs
without PYTHONDONTWRITEBYTECODE, after an untimed warm-up."""

from __future__ import annotations

import io
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
    and an untimed ``--help`` and tiny-log run come before the first timed run."""
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
    # 2 warm-ups + 2 timed + 2 x 3 scaling (first file on 1 worker, first file, first two files)
    # + 2 memory rounds + 2 x 3 startup (--help, tiny log --json, tiny log to the terminal)
    assert len(jg_calls) == 18
    assert res["two_files"]["files"] == files[:2] and res["two_files"]["ratio_two_to_one"] == 1.0
    for cmds, env, _ in jg_calls:
        assert env is not None and "PYTHONDONTWRITEBYTECODE" not in env, cmds
    first_timed = next(i for i, (c, _e, _s) in enumerate(jg_calls) if c == [[*jg_cmd, *files]])
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
    assert progress and "rss=" in progress[0] and "pss-tree=" not in progress[0]  # timed: not sampled
    memory = [line for line in captured.err.splitlines() if line.startswith("memory round ")]
    assert [m.split(":")[0] for m in memory] == ["memory round 1/2", "memory round 2/2"]  # the default
    assert all("rss-tree=" in m and "pss-tree=" in m for m in memory)
    assert len(j["memory_runs"]) == 2 and len(j["times_s"]) == 1


# ------------------------------------------------------------------------------------------
# timed runs unsampled, memory rounds sampled, scaling against one worker (run_pipeline faked)

WALLS = {"timed": 0.5, "grep": 1.0, "memory": 9.0, "one_worker": 0.75, "one_default": 0.45, "two": 0.9}
"""Wall time the fake gives each kind of run: all distinct, so each median shows where it came from."""


class FakePipeline:
    """Stands in for ``run_pipeline``: records every call and says which kind of run it was."""

    def __init__(self, files: list[str], jg_cmd: list[str]):
        self.files, self.jg_cmd = files, jg_cmd
        self.calls: list[dict] = []

    def kind(self, cmds, env, sample_tree, measure_rss) -> str:
        cmd = cmds[0]
        if cmd[0] != self.jg_cmd[0]:
            return "grep"
        args = cmd[len(self.jg_cmd):]
        if args == self.files[:1] and (env or {}).get("JGVIEW_WORKERS") == "1":
            return "one_worker"
        if args == self.files:
            return "memory" if sample_tree else ("timed" if measure_rss else "other")
        if args == self.files[:1]:
            return "one_default"
        if args == self.files[:2]:
            return "two"
        return "other"  # warm-ups, startup

    def __call__(self, cmds, *, env=None, cores=None, sample_tree=False, measure_rss=False, timeout=1800.0):
        kind = self.kind(cmds, env, sample_tree, measure_rss)
        self.calls.append({"kind": kind, "cmds": cmds, "env": env, "sample_tree": sample_tree,
                           "measure_rss": measure_rss})
        stdout = b"2\n" if kind == "grep" else json.dumps({"verdict": "healthy", "channels": []}).encode()
        return run.Run(wall=WALLS.get(kind, 0.01), rc=0, rss_kb=5000 if kind == "memory" else 1000,
                       rss_tree_kb=(7000 + 1000 * len(self.calls)) if sample_tree else 0,
                       pss_tree_kb=(4000 + 1000 * len(self.calls)) if sample_tree else None, stdout=stdout)


def _measure(monkeypatch, tmp_path, n_files=3, rounds=3, memory_rounds=2, scaling=False, startup_runs=0):
    files = []
    for i in range(n_files):
        p = tmp_path / f"keycloak-{i}.log"
        p.write_text(run.TINY_LOG)
        files.append(str(p))
    fake = FakePipeline(files, ["/nonexistent/jgview", "--json"])
    monkeypatch.setattr(run, "run_pipeline", fake)
    log: list[str] = []
    res = run.measure(files, fake.jg_cmd, rounds=rounds, cores=None, timeout=10, scaling=scaling,
                      startup_runs=startup_runs, log=log.append, memory_rounds=memory_rounds)
    return res, fake, log


def test_timed_runs_are_not_sampled_and_memory_rounds_come_after_them(monkeypatch, tmp_path):
    res, fake, log = _measure(monkeypatch, tmp_path, rounds=3, memory_rounds=2)
    kinds = [c["kind"] for c in fake.calls]
    assert kinds.count("timed") == 3 and kinds.count("memory") == 2
    timed = [c for c in fake.calls if c["kind"] == "timed"]
    assert all(c["sample_tree"] is False and c["measure_rss"] is True for c in timed)
    memory = [c for c in fake.calls if c["kind"] == "memory"]
    assert all(c["sample_tree"] is True and c["measure_rss"] is True for c in memory)
    # the memory rounds follow every timed run of jgview and of grep
    last_timed = max(i for i, k in enumerate(kinds) if k in ("timed", "grep"))
    assert min(i for i, k in enumerate(kinds) if k == "memory") > last_timed
    assert not any(c["sample_tree"] for c in fake.calls if c["kind"] != "memory")
    j = res["jgview"]
    # the untimed runs' 9 s is in no timing
    assert j["times_s"] == [WALLS["timed"]] * 3 and j["median_s"] == WALLS["timed"]
    assert res["ratio"] == pytest.approx(WALLS["timed"] / WALLS["grep"])
    # tree numbers: the largest over the memory rounds (the fake grows them with each call)
    last_mem_call = max(i for i, k in enumerate(kinds) if k == "memory") + 1
    assert j["rss_tree_mb"] == pytest.approx((7000 + 1000 * last_mem_call) / 1024)
    assert j["pss_tree_mb"] == pytest.approx((4000 + 1000 * last_mem_call) / 1024)
    assert j["rss_mb"] == pytest.approx(5000 / 1024)  # max over timed (1000) and memory (5000) runs
    assert len(j["memory_runs"]) == 2
    mem_log = [m for m in log if m.startswith("memory round ")]
    assert [m.split(":")[0] for m in mem_log] == ["memory round 1/2", "memory round 2/2"]
    assert all("rss=" in m and "rss-tree=" in m and "pss-tree=" in m for m in mem_log)
    assert not any("pss-tree" in m for m in log if m.startswith("round "))


def test_no_memory_rounds_leaves_the_tree_numbers_out(monkeypatch, tmp_path):
    res, fake, _log = _measure(monkeypatch, tmp_path, rounds=2, memory_rounds=0)
    assert not any(c["sample_tree"] for c in fake.calls)
    j = res["jgview"]
    assert j["rss_tree_mb"] is None and j["pss_tree_mb"] is None and j["memory_runs"] == []
    assert j["rss_mb"] == pytest.approx(1000 / 1024)
    name, v, _lim, _ = run.peak_memory(j)
    assert name == "peak RSS, MB (largest process)" and v == j["rss_mb"]
    res["check"] = run.compare(None, "no truth", res.pop("_last_stdout"), res["grep"]["count"])
    out = io.StringIO()
    run.print_table(res, out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("jgview --json"))
    assert row.split()[-2:] == ["n/a", "n/a"]
    assert "--memory-rounds 0" in out.getvalue()


def test_scaling_times_the_first_file_on_one_worker_and_checks_two_files_against_it(monkeypatch, tmp_path):
    res, fake, _log = _measure(monkeypatch, tmp_path, rounds=3, scaling=True)
    one_worker = [c for c in fake.calls if c["kind"] == "one_worker"]
    assert len(one_worker) == 3
    assert all(c["env"]["JGVIEW_WORKERS"] == "1" and "PYTHONDONTWRITEBYTECODE" not in c["env"] for c in one_worker)
    assert all(not c["sample_tree"] for c in one_worker)
    # every other jgview run keeps the default number of workers
    others = [c for c in fake.calls if c["kind"] in ("timed", "memory", "one_default", "two")]
    assert others and all((c["env"] or {}).get("JGVIEW_WORKERS") is None for c in others)
    o1 = res["one_file_one_worker"]
    assert o1["file"] == fake.files[0] and o1["median_s"] == WALLS["one_worker"] and len(o1["times_s"]) == 3
    assert o1["ratio_default_to_one_worker"] == pytest.approx(WALLS["one_default"] / WALLS["one_worker"])
    t2 = res["two_files"]
    assert t2["ratio_two_to_one_worker"] == pytest.approx(WALLS["two"] / WALLS["one_worker"])  # 1.2
    assert t2["ratio_two_to_one"] == pytest.approx(WALLS["two"] / WALLS["one_default"])  # 2.0, kept
    assert res["one_file"]["ratio_all_to_one"] == pytest.approx(WALLS["timed"] / WALLS["one_default"])
    res["cores"] = 2
    line = [t for t in run.targets(res) if "files" in t[0]]
    assert line == [("2 files (2 cores) / 1 file (1 worker)", pytest.approx(1.2), run.TARGETS["two_files_ratio"],
                     1.2 <= run.TARGETS["two_files_ratio"])]
    res["check"] = run.compare(None, "no truth", res.pop("_last_stdout"), res["grep"]["count"])
    out = io.StringIO()
    run.print_table(res, out)
    text = out.getvalue()
    assert "jgview, first file, 1 worker" in text
    assert "(two/one = 2.00; two / one file on one worker = 1.20)" in text
    target = next(ln for ln in text.splitlines() if "2 files (2 cores) / 1 file (1 worker)" in ln)
    assert "1.200" in target and target.rstrip().endswith("NOT met")


def test_scaling_on_one_file_has_the_one_worker_run_but_no_two_files_target(monkeypatch, tmp_path):
    res, fake, _log = _measure(monkeypatch, tmp_path, n_files=1, rounds=2, scaling=True)
    kinds = [c["kind"] for c in fake.calls]
    assert "two" not in kinds and "one_default" not in kinds
    o1 = res["one_file_one_worker"]
    # one file: the timed runs are the first file with the default workers
    assert o1["ratio_default_to_one_worker"] == pytest.approx(WALLS["timed"] / WALLS["one_worker"])
    assert "two_files" not in res and "one_file" not in res
    assert not [t for t in run.targets(res) if "files" in t[0]]


def test_without_scaling_nothing_runs_on_one_worker(monkeypatch, tmp_path):
    res, fake, _log = _measure(monkeypatch, tmp_path, rounds=2, scaling=False)
    assert not any((c["env"] or {}).get("JGVIEW_WORKERS") for c in fake.calls)
    assert "one_file_one_worker" not in res and "two_files" not in res


def test_memory_rounds_option_is_checked():
    with pytest.raises(SystemExit):
        run.main(["/nonexistent", "--memory-rounds", "-1"])


def test_startup_reports_the_terminal_output_and_the_libraries_floor(monkeypatch, tmp_path):
    """The tiny log also without --json, and jgview's own Python importing typer, rich and regex
    alone (found from the console script's #! line): the floor the target's premise speaks of."""
    python = sys.executable
    script = tmp_path / "jgview"
    script.write_text(f"#!{python}\nimport sys\n")
    script.chmod(0o755)
    assert run.jgview_python([str(script), "--json"]) == python
    assert run.jgview_python([python, "-m", "jgview", "--json"]) == python
    assert run.jgview_python(["/nonexistent/jgview", "--json"]) is None
    calls = []

    def fake(cmds, *, env=None, cores=None, sample_tree=False, measure_rss=False, timeout=1800.0):
        calls.append(cmds[0])
        wall = 0.09 if cmds[0][0] == python else (0.12 if "--json" in cmds[0] else 0.14)
        return run.Run(wall=wall, rc=0, rss_kb=0, rss_tree_kb=0, pss_tree_kb=None,
                       stdout=json.dumps({"verdict": "alone", "channels": []}).encode())

    monkeypatch.setattr(run, "run_pipeline", fake)
    res = run.measure_startup([str(script), "--json"], None, 3, 10, env={})
    assert res["libraries_median_s"] == 0.09 and res["tiny_terminal_median_s"] == 0.14
    assert res["tiny_median_s"] == 0.12 and len(calls) == 12
    assert [python, "-c", run.LIBRARIES] in calls
    assert any(c[0] == str(script) and c[-1].endswith(".log") and "--json" not in c for c in calls)
    names = [t[0] for t in run.targets({"gzip": False, "cores": 2, "ratio": 0.9, "startup": res,
                                        "jgview": {"rss_mb": 10}})]
    assert "startup: tiny log, terminal output, s" in names
