"""The installed ``jgview`` as a real process: inputs, exit codes, stdout/stderr discipline."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import SAMPLES, run_jgview

SEED = SAMPLES / "seed-split"
A = SEED / "keycloak-demo-1-n8gpd.log"
B = SEED / "keycloak-demo-1-j6p5h.log"

KC_VIEW = (
    "2024-05-01 10:00:0{s},123 INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-27846) "
    "ISPN000094: Received new cluster view for channel ISPN: {view}\n"
)


def test_pipe_one_pod_into_stdin_alone(tmp_path):
    text = KC_VIEW.format(s=1, view="[keycloak-0-27846|0] (1) [keycloak-0-27846]")
    p = run_jgview(["--json"], input=text.encode())
    doc = json.loads(p.stdout)
    assert doc["verdict"] == "alone" and p.returncode == 0
    assert doc["schema_version"] == 1
    assert doc["pods"][0]["name"] == "keycloak-0"  # from the JGroups name in the line


def test_stdin_dash_and_pod_option():
    text = KC_VIEW.format(s=1, view="[keycloak-0-27846|1] (2) [keycloak-0-27846, keycloak-1-3120]")
    p = run_jgview(["--json", "--pod", "kc-a", "-"], input=text.encode())
    doc = json.loads(p.stdout)
    assert [x["name"] for x in doc["pods"]] == ["kc-a"]
    assert doc["verdict"] == "healthy"


def test_seed_split_files_exit_1_and_terminal_says_split_first():
    p = run_jgview([str(A), str(B)])
    out = p.stdout.decode()
    assert p.returncode == 1
    first = out.splitlines()[0]
    assert "SPLIT" in first and "keycloak-demo-1-n8gpd" in first and "keycloak-demo-1-j6p5h" in first
    # why and the fix come right after the verdict
    head = "\n".join(out.splitlines()[:40])
    assert "DNS_PING" in head and "clusterIP: None" in head
    assert p.stderr == b""


def test_missing_file_is_one_line_error_exit_2_and_the_rest_is_analyzed(tmp_path):
    ok = tmp_path / "keycloak-0.log"
    ok.write_text(KC_VIEW.format(s=1, view="[keycloak-0-27846|1] (2) [keycloak-0-27846, keycloak-1-3120]"))
    p = run_jgview(["--json", str(tmp_path / "nope.log"), str(ok)])
    err = p.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "nope.log" in err[0] and "Traceback" not in err[0]
    doc = json.loads(p.stdout)
    assert doc["verdict"] == "healthy"
    assert p.returncode == 2


def test_split_beats_input_error_exit_1(tmp_path):
    p = run_jgview([str(A), str(B), str(tmp_path / "missing.log")])
    assert p.returncode == 1


def test_no_membership_evidence_exit_3(tmp_path):
    f = tmp_path / "app.log"
    f.write_text("2024-05-01 10:00:00,000 INFO  [org.hibernate] (main) HHH000412: Hibernate ORM core\n" * 20)
    p = run_jgview([str(f)])
    assert p.returncode == 3
    assert "no" in p.stdout.decode().lower()


def test_empty_stdin_exit_3():
    p = run_jgview([], input=b"")
    assert p.returncode == 3
    assert b"Traceback" not in p.stderr


def test_gzip_by_magic_and_crlf(tmp_path):
    text = KC_VIEW.format(s=1, view="[keycloak-0-27846|1] (2) [keycloak-0-27846, keycloak-1-3120]").replace("\n", "\r\n")
    f = tmp_path / "keycloak-0.log"  # a .log name with gzip content
    f.write_bytes(gzip.compress(text.encode()))
    doc = json.loads(run_jgview(["--json", str(f)]).stdout)
    assert doc["verdict"] == "healthy"
    assert doc["channels"][0]["clusters"][0]["members"] == ["keycloak-0-27846", "keycloak-1-3120"]


def test_expect_makes_a_small_cluster_a_split():
    p = run_jgview(["--json", "--expect", "3", str(SAMPLES / "seed-fix"), "--date", "2020-10-20"])
    doc = json.loads(p.stdout)
    assert doc["verdict"] == "split" and p.returncode == 1
    assert doc["channels"][0]["expected"] == 3


def test_until_gives_the_state_at_the_incident_time():
    merge = SAMPLES / "partition-merge"
    full = json.loads(run_jgview(["--json", str(merge)]).stdout)
    assert full["verdict"] == "healed"
    split = full["channels"][0]["splits"][0]
    mid = split["start"]
    p = run_jgview(["--json", "--until", mid.replace("Z", "+00:00"), str(merge)])
    doc = json.loads(p.stdout)
    assert doc["verdict"] == "split", doc["summary"]


def test_events_json_lines_for_jq():
    p = run_jgview(["events", "--kind", "view", str(A)])
    lines = p.stdout.decode().splitlines()
    assert lines and p.returncode == 0
    evs = [json.loads(x) for x in lines]
    assert all(e["kind"] == "view" for e in evs)
    assert evs[0]["view"]["view_id"] == "[keycloak-demo-1-n8gpd|0]"
    assert evs[0]["pod"] == "keycloak-demo-1-n8gpd"


def test_events_bad_kind_is_usage_error():
    p = run_jgview(["events", "--kind", "nonsense", str(A)])
    assert p.returncode == 2 and b"nonsense" in p.stderr


def test_bad_option_values_exit_2_without_traceback():
    for args in (["--since", "yesterday-ish", str(A)], ["--date", "2020-13-45", str(A)], ["--expect", "0", str(A)],
                 ["--tz", "Mars/Olympus", str(A)], ["--no-such-option"]):
        p = run_jgview(args)
        assert p.returncode == 2, args
        assert b"Traceback" not in p.stderr


def test_file_named_like_a_subcommand(tmp_path):
    f = tmp_path / "report"
    f.write_text(KC_VIEW.format(s=1, view="[keycloak-0-27846|0] (1) [keycloak-0-27846]"))
    p = run_jgview(["--json", "./report"], cwd=tmp_path)
    assert json.loads(p.stdout)["verdict"] == "alone"
    p = run_jgview(["--json", "--", "report"], cwd=tmp_path)
    assert json.loads(p.stdout)["verdict"] == "alone"


def test_version_and_help():
    p = run_jgview(["--version"])
    assert p.returncode == 0 and p.stdout.decode().startswith("jgview ")
    h = run_jgview(["--help"]).stdout.decode()
    for word in ("--json", "--expect", "--since", "--until", "collect", "report", "timeline", "events", "Exit codes"):
        assert word in h


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "jgview", "--version"], capture_output=True, timeout=60)
    assert p.returncode == 0 and b"jgview" in p.stdout


def test_mixed_pods_in_one_stream_without_prefix_warns(tmp_path):
    lines = []
    for s, (node, view) in enumerate(
        [
            ("keycloak-0-111", "[keycloak-0-111|0] (1) [keycloak-0-111]"),
            ("keycloak-1-222", "[keycloak-1-222|0] (1) [keycloak-1-222]"),
            ("keycloak-0-111", "[keycloak-0-111|0] (1) [keycloak-0-111]"),
        ]
    ):
        lines.append(
            f"2024-05-01 10:00:0{s},000 INFO  [org.jgroups.protocols.pbcast.GMS] (main) {node}: no members "
            f"discovered after 2004 ms: creating cluster as coordinator\n"
        )
        lines.append(
            f"2024-05-01 10:00:0{s},100 INFO  [org.jgroups.protocols.pbcast.GMS] (main) {node}: no members "
            f"discovered after 2004 ms: creating cluster as coordinator\n"
        )
    f = tmp_path / "all.log"
    f.write_text("".join(lines))
    doc = json.loads(run_jgview(["--json", str(f)]).stdout)
    assert any("mixes several pods" in w for w in doc["warnings"])
    assert sorted(p["name"] for p in doc["pods"]) == ["keycloak-0", "keycloak-1"]
    assert doc["verdict"] == "split"


def test_json_strings_carry_no_raw_control_characters(tmp_path):
    evil = "kc-\x1b[31mred\x1b[0m-\x9b2J-1"
    f = tmp_path / "evil.log"
    f.write_text(KC_VIEW.format(s=1, view=f"[{evil}|0] (1) [{evil}]"))
    for args in (["--json", str(f)], [str(f)]):
        out = run_jgview(args).stdout.decode()
        assert "\x1b" not in out and "\x9b" not in out


def test_parallel_workers_give_the_same_analysis_as_one_process():
    for scenario in ("partition-merge", "rolling-restart", "seed-split"):
        d = str(SAMPLES / scenario)
        seq = run_jgview(["--json", d], env={"JGVIEW_WORKERS": "1"})
        par = run_jgview(["--json", d], env={"JGVIEW_WORKERS": "2"})
        assert seq.returncode == par.returncode
        assert json.loads(seq.stdout) == json.loads(par.stdout), scenario


def test_cat_of_several_pods_logs_is_split_by_their_jgroups_names(tmp_path):
    both = (A.read_bytes() if A.name > B.name else B.read_bytes()) + (B.read_bytes() if A.name > B.name else A.read_bytes())
    for args, inp in ((["--json", "--date", "2020-10-20"], both), (["--json"], both)):
        p = run_jgview(args, input=inp)
        doc = json.loads(p.stdout)
        assert doc["verdict"] == "split" and p.returncode == 1, doc["summary"]
        assert sorted(x["name"] for x in doc["pods"]) == ["keycloak-demo-1-j6p5h", "keycloak-demo-1-n8gpd"]
        assert all(x["live"] for x in doc["pods"])
        assert any("mixes several pods" in w for w in doc["warnings"])
    # the same in a file whose name is no pod's
    f = tmp_path / "stream.log"
    f.write_bytes(both)
    doc = json.loads(run_jgview(["--json", str(f)]).stdout)
    assert doc["verdict"] == "split"
    assert "stream" not in [x["name"] for x in doc["pods"]]


def test_since_after_a_healed_split_leaves_it_out():
    merge = SAMPLES / "partition-merge"
    full = json.loads(run_jgview(["--json", str(merge)]).stdout)
    end = full["channels"][0]["merges"][0]["end"]
    later = end.replace("09:15:", "09:20:") if "09:15:" in end else end
    doc = json.loads(run_jgview(["--json", "--since", later, str(merge)]).stdout)
    assert doc["verdict"] == "healthy", doc["summary"]
    assert not doc["channels"][0]["merges"] and not doc["channels"][0]["splits"]
    assert not [f for f in doc["findings"] if f["id"].startswith("R11")]


def test_a_reader_that_goes_away_is_no_split(tmp_path):
    """`jgview … | head -1`: the pipe breaks while the output is written (by rich, or by typer's
    echo); the exit code is 0, not 1 (which says "split"), and nothing is printed on stderr."""
    import subprocess
    import sys

    from conftest import jgview_exe

    many = tmp_path / "keycloak-0.log"  # enough events that `jgview events` fills the pipe
    many.write_text("".join(KC_VIEW.format(s=i % 10, view=f"[keycloak-0-1|{i}] (1) [keycloak-0-1]")
                            for i in range(3000)))
    for args in ([str(SAMPLES / "seed-split")], ["events", str(many)]):
        p = subprocess.Popen(jgview_exe() + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.read(1)  # type: ignore[union-attr]
        p.stdout.close()  # type: ignore[union-attr]
        err = p.stderr.read()  # type: ignore[union-attr]
        assert p.wait(timeout=60) == 0, (args, err)
        assert b"Traceback" not in err and b"internal error" not in err
    # a split is still a split when the output is read
    out = run_jgview(["--json", str(SAMPLES / "seed-split")])
    assert out.returncode == 1
    del sys


def test_ctrl_c_says_interrupted_and_exits_130():
    """Ctrl-C while jgview waits on stdin: one line on stderr (typer alone exits 130 silently)."""
    import signal
    import subprocess
    import time

    from conftest import jgview_exe

    for args in ([], ["--json", "-"]):
        p = subprocess.Popen(jgview_exe() + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(KC_VIEW.format(s=1, view="[keycloak-0-1|0] (1) [keycloak-0-1]").encode())  # type: ignore[union-attr]
        p.stdin.flush()  # type: ignore[union-attr]
        time.sleep(1.5)  # (the interpreter is up and reading)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 130, (args, err)
        assert err == b"jgview: interrupted\n", (args, err)
        assert out == b""
