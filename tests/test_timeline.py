"""``jgview timeline``: who saw which view when, in the terminal.

Analyses come from hand-made events (builders shared with test_report.py); the command runs on
``sample_logs/`` in this process."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
from rich.console import Console

from jgview.models import Kind
from jgview.render.timeline import Axis, abbreviations, fit, key_bounds, natural_key, render

from conftest import SAMPLES
from test_report import Log, hostile, rolling_restart, run, seed_split, three_pods, view


def show(a, width: int = 120, colour: bool = False, **kw) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=colour, color_system="truecolor" if colour else None,
                      no_color=not colour, highlight=False, markup=False, emoji=False)
    render(a, console, **kw)
    return buf.getvalue()


def ten_pods():
    names = [f"keycloak-{i}-{100 + i}" for i in range(10)]
    logs = [Log(f"keycloak-{i}").addr(i, names[i]) for i in range(10)]
    for i, lg in enumerate(logs):
        lg.view(20 + i * 0.01, view(names[0], 9, *names))
    logs[0].view(60, view(names[0], 10, *names[:9]))
    for lg in logs[1:9]:
        lg.view(60, view(names[0], 10, *names[:9]))
    return run(*logs)


def test_one_column_per_pod_shows_who_saw_which_view_when():
    out = show(three_pods())
    lines = out.splitlines()
    head = next(ln for ln in lines if ln.startswith("time "))
    cols = {p: head.index(p) for p in ("keycloak-0", "keycloak-1", "keycloak-2")}
    assert cols["keycloak-0"] < cols["keycloak-1"] < cols["keycloak-2"]
    own = next(ln for ln in lines if "[keycloak-2-3|3] (1)" in ln)
    assert own.startswith("10:01:41.000") and own.index("[keycloak-2-3|3]") == cols["keycloak-2"]
    both = next(ln for ln in lines if ln.startswith("10:01:40.000") and "[keycloak-0-1|3] (2)" in ln)
    assert both.index("[keycloak-0-1|3]") == cols["keycloak-0"]
    assert both[cols["keycloak-1"]:].startswith("[keycloak-0-1|3] (2)")
    assert both[cols["keycloak-2"]:].startswith("│")  # still in its old view
    merged = next(ln for ln in lines if ln.startswith("10:02:20.000") and "⊕" in ln)
    assert merged.count("⊕[keycloak-0-1|4] (3)") == 3
    # the split and the merge, in time order between the views
    order = [i for i, ln in enumerate(lines) if "── split:" in ln or "── merged" in ln or ln.startswith("10:01:40.000  [")]
    texts = [lines[i] for i in order]
    assert "── split: {keycloak-0, keycloak-1} | {keycloak-2}" in texts[0] and "until 10:02:20.000" in texts[0]
    assert "── merged [keycloak-0-1|4]" in texts[-1]
    # suspicion in the column of the pod that logged it
    sus = next(ln for ln in lines if "suspects keycloak-2-3" in ln)
    assert sus.index("? suspects") == cols["keycloak-0"]
    # members of each view once
    assert sum("[keycloak-0-1|2] = keycloak-0-1, keycloak-1-2, keycloak-2-3" in ln for ln in lines) == 1


def test_colour_by_cluster():
    out = show(three_pods(), colour=True)
    line = next(ln for ln in out.splitlines() if "[keycloak-2-3|3]" in ln)
    # cluster 1 (#E69F00) for keycloak-2's own view during the split, cluster 0 (#56B4E9) elsewhere
    assert re.search(r"\x1b\[38;2;230;159;0m\[keycloak-2-3\|3\]", line), repr(line)
    line0 = next(ln for ln in out.splitlines() if "[keycloak-0-1|3] (2)" in ln and "──" not in ln)
    assert "\x1b[38;2;86;180;233m[keycloak-0-1|3]" in line0
    assert "\x1b" not in show(three_pods(), colour=False)


def test_restart_and_stop_in_the_pods_own_column():
    out = show(rolling_restart())
    lines = out.splitlines()
    head = next(ln for ln in lines if ln.startswith("time "))
    col0, col1 = head.index("keycloak-0"), head.index("keycloak-1")
    stop = next(ln for ln in lines if "■ channel stopped" in ln)
    assert stop.index("■") == col0
    restart = next(ln for ln in lines if "↻ restarted as" in ln)
    assert restart.index("↻") == col0 and "keycloak-0-77"[: col1 - col0 - 16] in restart
    assert "restart (new incarnation)" in out


def test_compact_lines_above_eight_pods_and_width_respected():
    a = ten_pods()
    for width in (60, 100, 160):
        out = show(a, width=width)
        lines = out.splitlines()
        assert any(re.match(r"time\s+pod\s+view\s+members", ln) for ln in lines)
        assert all(len(ln) <= width for ln in lines), [ln for ln in lines if len(ln) > width]
        # the ten pods that installed view 9 are one line, the view's members wrapped below it
        assert sum("|9] (10)" in ln for ln in lines) == 1
        if width >= 100:
            assert sum("[keycloak-0-100|9] (10)" in ln for ln in lines) == 1
    out = show(a, width=100)
    # the next view shows what changed for the pods that saw it
    assert "−keycloak-9-109" in out
    # --columns forces one column per pod even for ten
    forced = show(a, width=200, compact=False)
    head = next(ln for ln in forced.splitlines() if ln.startswith("time "))
    assert head.count("keycloak-") == 10 or "columns:" in forced


def test_columns_fit_narrow_terminals_keeping_view_ids_readable():
    out = show(seed_split(), width=50)
    lines = out.splitlines()
    assert all(len(ln) <= 50 for ln in lines), [ln for ln in lines if len(ln) > 50]
    assert "columns: j6p5h = keycloak-demo-1-j6p5h," in out and "n8gpd = keycloak-demo-1-n8gpd" in out
    head = next(ln for ln in lines if ln.startswith("time "))
    assert "j6p5h" in head and "keycloak-demo" not in head
    assert any("[n8gpd|0] (1)" in ln for ln in lines)


def test_since_until_window():
    a = three_pods()
    axis = Axis(a)
    lo, hi = key_bounds(axis, datetime(2024, 5, 1, 10, 1, 30, tzinfo=timezone.utc), datetime(2024, 5, 1, 10, 1, 50, tzinfo=timezone.utc))
    out = show(a, since=lo, until=hi)
    assert "[keycloak-0-1|3] (2)" in out and "[keycloak-2-3|3] (1)" in out
    assert "[keycloak-0-1|2] (3)" not in out and "⊕" not in out and "10:00:00.000" not in out
    out = show(a, since=key_bounds(axis, datetime(2024, 5, 2, tzinfo=timezone.utc), None)[0])
    assert "(no membership events in this window)" in out


def test_time_of_day_logs_print_times_as_logged():
    a = three_pods(tod=True)
    out = show(a)
    assert "── day 1" in out and "10:00:10,000" in out and "2024" not in out
    lo, _ = key_bounds(Axis(a), datetime(2030, 1, 1, 10, 1, 30, tzinfo=timezone.utc), None)  # compared as a time of day
    assert "10:00:10,000" not in show(a, since=lo) and "10:01:41,000" in show(a, since=lo)


def test_log_text_is_printed_literally():
    out = show(hostile(), width=200)
    assert "kc-1-[red]x[/red]\\x1b[31m" in out
    assert "\x1b" not in out
    assert 'kc-0"><img src=x onerror=alert(1)>' in out


def test_no_evidence():
    a = run(Log("keycloak-0")._ev(Kind.USER_SYMPTOM, 0))
    assert "no membership evidence" in show(a)


def test_helpers():
    assert fit("[keycloak-demo-1-n8gpd|12] (2)", 14).endswith("|12] (2)") and len(fit("[keycloak-demo-1-n8gpd|12] (2)", 14)) == 14
    assert abbreviations(["keycloak-demo-1-aaaaa", "keycloak-demo-1-bbbbb"]) == {
        "keycloak-demo-1-aaaaa": "aaaaa", "keycloak-demo-1-bbbbb": "bbbbb"}
    assert sorted(["kc-10", "kc-2", "kc-1"], key=natural_key) == ["kc-1", "kc-2", "kc-10"]


# ---------------------------------------------------------------------------------------------
# the command


def invoke(args: list[str]):
    from conftest import invoke_cli

    return invoke_cli(args)


@pytest.mark.skipif(not (SAMPLES / "partition-merge").is_dir(), reason="sample_logs/partition-merge not present")
def test_timeline_command_on_a_partition_that_merges_back():
    scen = str(SAMPLES / "partition-merge")
    res = invoke(["timeline", scen, "--width", "100"])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert all(len(ln) <= 100 for ln in lines)
    assert any("── split:" in ln for ln in lines) and any("── merged" in ln for ln in lines)
    assert any(ln.startswith("time ") and "keycloak-2" in ln for ln in lines)
    res = invoke(["timeline", scen, "--since", "2025-03-12T09:14:00Z", "--until", "2025-03-12T09:16:00Z"])
    assert res.exit_code == 0 and "08:00:" not in res.stdout and "09:15:18" in res.stdout
    res = invoke(["timeline", scen, "--compact", "--no-members"])
    assert res.exit_code == 0 and re.search(r"time\s+pod\s+view\s+members", res.stdout)
    res = invoke(["timeline", scen, "--channel", "nope"])
    assert "no channel nope" in res.stdout
    assert invoke(["timeline", scen, "--width", "10"]).exit_code == 2


@pytest.mark.skipif(not (SAMPLES / "seed-split").is_dir(), reason="sample_logs/seed-split not present")
def test_timeline_command_exit_code_is_the_analysis():
    res = invoke(["timeline", str(SAMPLES / "seed-split"), "--date", "2020-10-20"])
    assert res.exit_code == 1
    assert "keycloak-demo-1-j6p5h" in res.stdout and "keycloak-demo-1-n8gpd" in res.stdout
