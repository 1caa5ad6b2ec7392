"""``jgview report``: the HTML and Markdown postmortem, ``--redact``, and the HTML in Chromium.

Analyses are built from hand-made events (the pattern of test_analysis.py) so the renderers are
tested alone; the CLI and the Markdown goldens run on ``sample_logs/``. The browser tests open
the HTML in headless Chromium (skipped with a reason when it is absent, see tests/browser.py)."""

from __future__ import annotations

import functools
import html as htmlmod
import random
import re
import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jgview.history import SourceEvents
from jgview.models import Event, Evidence, Finding, Kind, Severity, SourceInfo, View
from jgview.pipeline import AnalyzeOptions, analyze_sources
from jgview.redact import Redactor, redact, redact_text
from jgview.render import html as html_report
from jgview.render import markdown as md_report
from jgview.render.markdown import md_block, md_code, md_text

from browser import colour_present, dump_dom, pixel_stats, require_chromium, screenshot
from conftest import SAMPLES, run_jgview
from regen_goldens import MD_SCENARIOS, markdown_of

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# hand-made analyses


def view(creator: str, vid: int, *members: str) -> View:
    return View(creator=creator, id=vid, members=tuple(members), size=len(members))


class Log:
    """One pod's events (times in seconds after T0, or times of day when ``tod`` is set)."""

    def __init__(self, pod: str, *, end: float | None = None, tod: bool = False, source: str | None = None):
        self.pod, self.end, self.tod = pod, end, tod
        self.source_name = source or f"{pod}.log"
        self.events: list[Event] = []

    def _ev(self, kind: Kind, t: float, text: str | None = None, **kw) -> Log:
        when = T0 + timedelta(seconds=t)
        time_kw = {"time_of_day": when.strftime("%H:%M:%S,") + f"{when.microsecond // 1000:03d}"} if self.tod else {"time": when}
        self.events.append(Event(kind=kind, source=self.source_name, lineno=len(self.events) + 1,
                                 text=text or f"{kind.value} line", pod=self.pod, **time_kw, **kw))
        return self

    def addr(self, t: float, name: str, channel: str = "ISPN") -> Log:
        return self._ev(Kind.LOCAL_ADDRESS, t, channel=channel, subject=name, node=name)

    def start(self, t: float, channel: str = "ISPN") -> Log:
        return self._ev(Kind.CHANNEL_START, t, channel=channel)

    def stop(self, t: float, channel: str = "ISPN") -> Log:
        return self._ev(Kind.CHANNEL_STOP, t, channel=channel)

    def created(self, t: float, name: str) -> Log:
        return self._ev(Kind.CREATED_CLUSTER, t, node=name)

    def view(self, t: float, v: View, channel: str = "ISPN", text: str | None = None) -> Log:
        return self._ev(Kind.VIEW, t, text=text, channel=channel, view=v)

    def merged(self, t: float, v: View, *subs: View, channel: str = "ISPN") -> Log:
        return self._ev(Kind.MERGED_VIEW, t, channel=channel, view=v, subgroups=subs)

    def suspect(self, t: float, who: str, channel: str = "ISPN") -> Log:
        return self._ev(Kind.SUSPECT, t, channel=channel, subject=who)

    def source(self) -> SourceEvents:
        last = self.end if self.end is not None else max((e.time or T0 for e in self.events), default=T0).timestamp() - T0.timestamp()
        info = SourceInfo(name=self.source_name, lines=100, first_time=None if self.tod else T0,
                          last_time=None if self.tod else T0 + timedelta(seconds=last), time_only=self.tod)
        return SourceEvents(info=info, events=self.events, pod_hint=self.pod, strong_hint=True)


def run(*logs: Log, expect: int | None = None):
    return analyze_sources([lg.source() for lg in logs], AnalyzeOptions(expect=expect))


def seed_split():
    a = Log("keycloak-demo-1-n8gpd", end=600).created(0, "keycloak-demo-1-n8gpd").start(1, "ejb")
    a.view(1, view("keycloak-demo-1-n8gpd", 0, "keycloak-demo-1-n8gpd"), "ejb")
    b = Log("keycloak-demo-1-j6p5h", end=600).created(240, "keycloak-demo-1-j6p5h").start(241, "ejb")
    b.view(241, view("keycloak-demo-1-j6p5h", 0, "keycloak-demo-1-j6p5h"), "ejb")
    return run(a, b)


def seed_fix():
    a = Log("kc-1-mvrfg").created(0, "kc-1-mvrfg").start(1, "ejb").view(1, view("kc-1-mvrfg", 0, "kc-1-mvrfg"), "ejb")
    a.view(130, view("kc-1-mvrfg", 1, "kc-1-mvrfg", "kc-1-vv5jn"), "ejb")
    b = Log("kc-1-vv5jn").start(130, "ejb").view(130.1, view("kc-1-mvrfg", 1, "kc-1-mvrfg", "kc-1-vv5jn"), "ejb")
    return run(a, b)


def three_pods(tod: bool = False, tail: float = 0.0):
    """keycloak-2 is cut off at 100 s and merged back at 140 s (optionally a long quiet tail)."""
    names = ["keycloak-0-1", "keycloak-1-2", "keycloak-2-3"]
    a, b, c = names
    logs = [Log(f"keycloak-{i}", tod=tod) for i in range(3)]
    logs[0].addr(0, a).view(0, view(a, 0, a))
    v1, v2 = view(a, 1, a, b), view(a, 2, a, b, c)
    logs[0].view(10, v1).view(20, v2)
    logs[1].addr(10, b).view(10, v1).view(20, v2)
    logs[2].addr(20, c).view(20, v2)
    logs[0].suspect(95, c)
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[2].view(101, view(c, 3, c))
    for lg in logs:
        lg.merged(140, view(a, 4, a, b, c), view(a, 3, a, b), view(c, 3, c))
        if tail:
            lg.end = 140 + tail
    return run(*logs)


def rolling_restart():
    a, b = "keycloak-0-1", "keycloak-1-2"
    l0 = Log("keycloak-0").addr(0, a).view(0, view(a, 0, a)).view(10, view(a, 1, a, b))
    l1 = Log("keycloak-1").addr(10, b).view(10, view(a, 1, a, b))
    l0.stop(100)
    l1.view(101, view(b, 2, b))
    a2 = "keycloak-0-77"
    l0.start(130).addr(130, a2).view(131, view(b, 3, b, a2))
    l1.view(131, view(b, 3, b, a2))
    return run(l0, l1)


@functools.lru_cache(maxsize=1)
def big(n_pods: int = 60, n_changes: int = 10_000, seed: int = 7):
    """60 pods join, then graceful restarts (new names) and one partition that merges back."""
    rnd = random.Random(seed)
    pods = [f"keycloak-{i}" for i in range(n_pods)]
    names = {p: f"{p}-{1000 + i}" for i, p in enumerate(pods)}
    logs = {p: Log(p) for p in pods}
    coord = names[pods[0]]
    count = 0

    def install(creator: str, vid: int, mem: list[str], t: float, subs: tuple[View, ...] = ()) -> View:
        nonlocal count
        v = view(creator, vid, *[names[m] for m in mem])
        for m in mem:
            (logs[m].merged(t, v, *subs) if subs else logs[m].view(t, v))
            count += 1
        return v

    t, vid, members = 0.0, 0, [pods[0]]
    logs[pods[0]].addr(0, coord).view(0, view(coord, 0, coord))
    for p in pods[1:]:
        t += 2
        vid += 1
        members.append(p)
        logs[p].addr(t, names[p])
        install(coord, vid, members, t)
    split_done = False
    while count < n_changes:
        t += rnd.uniform(5, 40)
        if not split_done and count > n_changes // 2:
            side = members[-(len(members) // 3):]
            main = [m for m in members if m not in side]
            vid += 1
            install(coord, vid, main, t)
            vb = install(names[side[0]], vid, side, t + 1)
            for _ in range(5):
                t += 30
                vid += 1
                install(coord, vid, main, t)
            t += 30
            vid += 1
            install(coord, vid, main + side, t, (view(coord, vid - 1, *[names[m] for m in main]), vb))
            split_done = True
            continue
        p = rnd.choice(members[1:])
        logs[p].stop(t - 0.5)
        vid += 1
        install(coord, vid, [m for m in members if m != p], t)
        t += rnd.uniform(1, 10)
        vid += 1
        names[p] = names[p] + "x"
        logs[p].start(t).addr(t, names[p])
        install(coord, vid, members, t)
    for lg in logs.values():
        lg.end = t + 60
    return run(*logs.values())


HOSTILE_POD = 'kc-0"><img src=x onerror=alert(1)>'
HOSTILE_MEMBER = "</title><script>alert('m')</script>|*_[x](javascript:alert(1))`"


def hostile():
    """Names and messages with markup, script, Markdown and terminal controls."""
    p0, p1 = HOSTILE_POD, "kc-1-<b>bold</b>"
    m0, m1 = HOSTILE_MEMBER, "kc-1-[red]x[/red]\x1b[31m"
    l0 = Log(p0, end=600).created(0, m0).view(0, view(m0, 0, m0), "<i>chan</i>", text="<script>alert('line')</script> ``` | x")
    l1 = Log(p1, end=600).created(50, m1).view(50, view(m1, 0, m1), "<i>chan</i>")
    a = run(l0, l1)
    a.findings.append(Finding(id="X1-<svg/onload=alert(1)>", severity=Severity.ERROR, title="<script>t</script>",
                              summary="summary <img src=x> | *bold* ```",
                              evidence=[Evidence(source="<src>.log", line=3, text="</pre><script>alert('ev')</script>```~~~")],
                              remediation="fix </div><script>alert('fix')</script>\n```\nrm -rf /\n```"))
    return a


def pinned(a, sentence: str):
    """An analysis with our own finding and sentence, so goldens test the renderer only."""
    a.sentence = sentence
    a.findings = [Finding(id="R1-dns-ping-clusterip", severity=Severity.ERROR, title="Pods create their own clusters",
                          summary="Each pod created its own cluster.",
                          evidence=[Evidence(source="a.log", line=67, text="07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] "
                                             "a: no members discovered after 3321 ms: creating cluster as coordinator")],
                          remediation="Add a headless Service:\n  spec:\n    clusterIP: None")]
    return a


# ---------------------------------------------------------------------------------------------
# parsing rendered HTML


class Tags(HTMLParser):
    """Every start tag with its attributes; the lanes of each timeline SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.svgs: list[dict] = []
        self._lane: dict | None = None
        self._g_depth = 0
        self._lane_depth = -1

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        self.tags.append((tag, d))
        cls = (d.get("class") or "").split()
        if tag == "svg" and "timeline" in cls:
            self.svgs.append({"lanes": [], "declared": int(d.get("data-lanes") or -1), "zoom": "zoom" in cls})
        if tag == "g":
            self._g_depth += 1
            if "lane" in cls and self.svgs:
                self._lane = {"pod": d.get("data-pod"), "clusters": [], "classes": []}
                self._lane_depth = self._g_depth
                self.svgs[-1]["lanes"].append(self._lane)
        if self._lane is not None:
            if tag == "rect" and "seg" in cls:
                self._lane["clusters"].append(int(d["data-cluster"]))
            self._lane["classes"].extend(cls)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "g":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "g":
            if self._g_depth == self._lane_depth:
                self._lane = None
                self._lane_depth = -1
            self._g_depth -= 1


def parse(doc: str) -> Tags:
    p = Tags()
    p.feed(doc)
    p.close()
    return p


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p", "section", "span",
    "ul", "li", "a", "article", "code", "pre", "div", "strong", "figure", "figcaption", "svg", "defs", "pattern",
    "rect", "line", "text", "g", "path", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "footer",
}


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_is_one_self_contained_file_without_script():
    doc = html_report.render(three_pods(), title="Partition")
    assert doc.startswith("<!DOCTYPE html>")
    tags = parse(doc)
    assert {t for t, _ in tags.tags} <= ALLOWED_TAGS
    assert not [t for t, _ in tags.tags if t in ("script", "link", "img", "iframe", "object", "embed")]
    for tag, attrs in tags.tags:
        for k, v in attrs.items():
            assert not k.startswith("on"), (tag, k)
            if k in ("href", "src", "xlink:href"):
                assert (v or "").startswith("#"), (tag, k, v)
    # nothing from the network: the only URL is the SVG namespace
    assert set(re.findall(r"https?://[^\s\"'<>)]+", doc)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in doc and "url(http" not in doc
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc
    assert "prefers-color-scheme:dark" in doc and "@media print" in doc


def test_html_escapes_every_piece_of_log_text():
    doc = html_report.render(hostile())
    tags = parse(doc)
    assert {t for t, _ in tags.tags} <= ALLOWED_TAGS
    assert not [t for t, _ in tags.tags if t in ("script", "img", "b", "i")]
    assert not any(k.startswith("on") for _, a in tags.tags for k in a)
    # the text is there, shown literally
    assert htmlmod.escape(HOSTILE_POD, quote=True) in doc
    assert "&lt;i&gt;chan&lt;/i&gt;" in doc
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#x27;ev&#x27;)" in doc
    assert "&lt;svg/onload=alert(1)&gt;" in doc
    assert "\x1b" not in doc and "\\x1b[31m" in doc
    lanes = [lane["pod"] for svg in tags.svgs for lane in svg["lanes"]]
    assert sorted(lanes) == sorted([HOSTILE_POD, "kc-1-<b>bold</b>"])


@pytest.mark.parametrize("build, pods", [(seed_split, 2), (three_pods, 3), (rolling_restart, 2)])
def test_one_lane_per_pod_incarnations_on_the_same_lane(build, pods):
    a = build()
    tags = parse(html_report.render(a))
    assert tags.svgs
    for svg in tags.svgs:
        assert len(svg["lanes"]) == pods == svg["declared"]
        assert len({lane["pod"] for lane in svg["lanes"]}) == pods


def test_seed_split_lanes_have_different_cluster_colours_and_an_open_split():
    tags = parse(html_report.render(seed_split()))
    (svg,) = tags.svgs
    by_pod = {lane["pod"]: set(lane["clusters"]) for lane in svg["lanes"]}
    assert by_pod["keycloak-demo-1-n8gpd"] == {0}
    assert by_pod["keycloak-demo-1-j6p5h"] == {1}
    doc = html_report.render(seed_split())
    assert 'class="split"' in doc and "split (open)" in doc


def test_partition_lane_changes_colour_during_the_split_with_markers():
    doc = html_report.render(three_pods())
    tags = parse(doc)
    svg = tags.svgs[0]
    lanes = {lane["pod"]: lane for lane in svg["lanes"]}
    assert lanes["keycloak-2"]["clusters"] == [0, 1, 0]
    assert set(lanes["keycloak-0"]["clusters"]) == {0}
    assert "mk-suspect" in lanes["keycloak-0"]["classes"]
    assert "mk-coord" in lanes["keycloak-2"]["classes"]  # keycloak-2 became its own coordinator
    assert 'class="merge"' in doc and 'class="split"' in doc
    # the clusters-over-time table says what happened
    assert "split into 2 clusters" in doc and "merged into one cluster" in doc


def test_restart_marker_on_the_restarted_pods_lane():
    tags = parse(html_report.render(rolling_restart()))
    lanes = {lane["pod"]: lane for lane in tags.svgs[0]["lanes"]}
    assert "mk-restart" in lanes["keycloak-0"]["classes"]
    assert "mk-restart" not in lanes["keycloak-1"]["classes"]


def test_short_split_in_a_long_window_gets_a_zoomed_timeline():
    tags = parse(html_report.render(three_pods(tail=7200)))
    assert [s["zoom"] for s in tags.svgs] == [False, True]
    zoom = tags.svgs[1]
    assert len(zoom["lanes"]) == 3
    assert {lane["pod"]: lane["clusters"] for lane in zoom["lanes"]}["keycloak-2"] == [0, 1, 0]
    # a split that fills the window needs no zoom
    assert [s["zoom"] for s in parse(html_report.render(three_pods())).svgs] == [False]


def test_time_of_day_axis_is_labelled_with_times_of_day():
    a = three_pods(tod=True)
    assert a.time_axis == "time-of-day"
    doc = html_report.render(a)
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', doc)
    assert ticks and all(re.fullmatch(r"\d\d:\d\d(:\d\d)?(,\d{3})?|day 1|\+\d+d", t) for t in ticks), ticks
    assert "10:01" in ticks or "10:01:00" in ticks
    assert "2024-" not in "".join(ticks)
    assert "time of day" in doc


def test_sixty_pods_ten_thousand_view_changes_stay_small_and_fast():
    a = big()
    assert sum(len(v) for p in a.pods for v in p.channels.values()) >= 10_000
    start = time.perf_counter()
    doc = html_report.render(a, title="60 pods")
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed
    assert len(doc.encode()) < 5_000_000, len(doc)
    tags = parse(doc)
    svg = tags.svgs[0]
    assert len(svg["lanes"]) == 60 == svg["declared"]
    # aggregated: far fewer bars than segments, and the partition is still visible
    bars = sum(len(lane["clusters"]) for lane in svg["lanes"])
    assert bars < len(a.channels[0].segments) / 4, (bars, len(a.channels[0].segments))
    apart = [lane["pod"] for lane in svg["lanes"] if any(c != 0 for c in lane["clusters"])]
    assert len(apart) == 20, apart
    # lanes in natural order
    assert [lane["pod"] for lane in svg["lanes"]][:3] == ["keycloak-0", "keycloak-1", "keycloak-2"]


# ---------------------------------------------------------------------------------------------
# Markdown

SEED_SPLIT_MD = """\
# Seed split

**Verdict: SPLIT** — two clusters \\<b\\>here\\</b\\> \\| \\*x\\*

_2 source(s), 200 lines, 6 membership events, 2 pod(s); evidence from 2024-05-01 10:00:00.000Z to 2024-05-01 10:10:00.000Z (UTC)_

## Findings

### 1. ERROR: Pods create their own clusters (`R1-dns-ping-clusterip`)

Each pod created its own cluster.

Evidence:

```text
a.log:67  07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] a: no members discovered after 3321 ms: creating cluster as coordinator
```

Fix:

```text
Add a headless Service:
  spec:
    clusterIP: None
```

## Clusters at the end of the evidence

| channel | verdict | view | coordinator | size | members | pods seeing it |
|---|---|---|---|---:|---|---|
| `ejb` | split | `[keycloak-demo-1-j6p5h\\|0]` | `keycloak-demo-1-j6p5h` | 1 | `keycloak-demo-1-j6p5h` | `keycloak-demo-1-j6p5h` |
| `ejb` | split | `[keycloak-demo-1-n8gpd\\|0]` | `keycloak-demo-1-n8gpd` | 1 | `keycloak-demo-1-n8gpd` | `keycloak-demo-1-n8gpd` |

## Channel `ejb`: split

2 groups of live pods sit in separate views at the end of the evidence

### Timeline (UTC)

| from | clusters | pods per cluster | what changed |
|---|---:|---|---|
| 10:00:01.000 | 1 | {`keycloak-demo-1-n8gpd`} | first view |
| 10:04:01.000 | 2 | {`keycloak-demo-1-n8gpd`} \\| {`keycloak-demo-1-j6p5h`} | keycloak-demo-1-j6p5h started apart: 2 clusters |

- **split** 2024-05-01 10:04:01.000Z → still open at the end of the evidence: {`keycloak-demo-1-j6p5h`} | {`keycloak-demo-1-n8gpd`}

### Membership changes (UTC)

| time | `keycloak-demo-1-j6p5h` | `keycloak-demo-1-n8gpd` |
|---|---|---|
| 10:00:01.000 |  | `[keycloak-demo-1-n8gpd\\|0]` (1) |
| 10:04:01.000 | `[keycloak-demo-1-j6p5h\\|0]` (1) |  |

| view | members |
|---|---|
| `[keycloak-demo-1-n8gpd\\|0]` | `keycloak-demo-1-n8gpd` |
| `[keycloak-demo-1-j6p5h\\|0]` | `keycloak-demo-1-j6p5h` |
"""


def test_markdown_golden_seed_split():
    a = pinned(seed_split(), "SPLIT: two clusters <b>here</b> | *x*")
    got = md_report.render(a, title="Seed split")
    assert got == SEED_SPLIT_MD, got


PARTITION_TIMELINE_MD = """\
| from | clusters | pods per cluster | what changed |
|---|---:|---|---|
| 10:00:00.000 | 1 | {`keycloak-0`} | first view |
| 10:00:10.000 | 1 | {`keycloak-0`, `keycloak-1`} | keycloak-1 joined |
| 10:00:20.000 | 1 | {`keycloak-0`, `keycloak-1`, `keycloak-2`} | keycloak-2 joined |
| 10:01:40.000 | 2 | {`keycloak-0`, `keycloak-1`} \\| {`keycloak-2`} | split into 2 clusters |
| 10:02:20.000 | 1 | {`keycloak-0`, `keycloak-1`, `keycloak-2`} | merged into one cluster |
"""

PARTITION_CHANGES_MD = """\
| time | `keycloak-0` | `keycloak-1` | `keycloak-2` |
|---|---|---|---|
| 10:00:00.000 | `[keycloak-0-1\\|0]` (1) |  |  |
| 10:00:10.000 | `[keycloak-0-1\\|1]` (2) | `[keycloak-0-1\\|1]` (2) |  |
| 10:00:20.000 | `[keycloak-0-1\\|2]` (3) | `[keycloak-0-1\\|2]` (3) | `[keycloak-0-1\\|2]` (3) |
| 10:01:35.000 | suspects keycloak-2-3 |  |  |
| 10:01:40.000 | `[keycloak-0-1\\|3]` (2) | `[keycloak-0-1\\|3]` (2) |  |
| 10:01:41.000 |  |  | `[keycloak-2-3\\|3]` (1) |
| 10:02:20.000 | merge `[keycloak-0-1\\|4]` (3) | merge `[keycloak-0-1\\|4]` (3) | merge `[keycloak-0-1\\|4]` (3) |
"""


def test_markdown_golden_partition_tables():
    got = md_report.render(pinned(three_pods(), "HEALED: one cluster again"))
    assert PARTITION_TIMELINE_MD in got, got
    assert PARTITION_CHANGES_MD in got, got
    assert "- **merge** 2024-05-01 10:02:20.000Z into `[keycloak-0-1|4]` from {`keycloak-0-1`, `keycloak-1-2`} + {`keycloak-2-3`}" in got


def _table_rows(md: str) -> list[list[str]]:
    """Cells of every table row, split on unescaped pipes."""
    rows = []
    for line in md.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            rows.append(cells[1:-1])
    return rows


def test_markdown_escapes_log_text_and_keeps_tables_intact():
    got = md_report.render(hostile())
    assert "\x1b" not in got
    # outside fenced blocks and code spans (where GFM shows text literally) no raw HTML is left
    prose = re.sub(r"(?ms)^(`{3,})text\n.*?^\1$", "", got)
    prose = re.sub(r"(?<!\\)(`+)(?:(?!\1).)+?\1", "", prose)
    assert not re.search(r"(?<!\\)[<>]", prose), prose
    # every table keeps its column count: no log-derived | splits a cell
    table: list[list[str]] = []
    widths: list[set[int]] = []
    for line in got.splitlines() + [""]:
        if line.startswith("|"):
            table.append(_table_rows(line)[0])
        elif table:
            widths.append({len(r) for r in table})
            table = []
    assert widths and all(len(w) == 1 for w in widths), widths
    # fenced blocks: the fence is longer than any backtick run inside, so ``` in a fix stays inside
    assert "````text\nfix </div><script>alert('fix')</script>\n```\nrm -rf /\n```\n````" in got
    assert "\\<script\\>t\\</script\\>" in got


def test_markdown_compact_table_above_eight_pods():
    logs = [Log(f"kc-{i}").addr(i, f"kc-{i}-{i}") for i in range(10)]
    names = [f"kc-{i}-{i}" for i in range(10)]
    for i, lg in enumerate(logs):
        lg.view(20, view(names[0], 9, *names))
    got = md_report.render(run(*logs))
    assert "| time | pods | view | members (changes) |" in got
    assert "| time | `kc-0` |" not in got


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_md_code_and_block_show_any_text_literally(s):
    code = md_code(s, limit=None)  # type: ignore[arg-type]
    if code:
        fence = re.match(r"`+", code).group(0)
        inner = code[len(fence):-len(fence)]
        assert code.endswith(fence)
        assert all(len(run_) != len(fence) for run_ in re.findall(r"`+", inner))
        assert "\n" not in code
    block = md_block(s)
    first, *_, last = block.split("\n")
    fence = re.match(r"`+", first).group(0)
    assert last == fence and len(fence) >= 3
    body = block[len(first) + 1 : -len(last) - 1]
    assert not any(ln.startswith(fence) for ln in body.split("\n"))


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_md_text_escapes_every_markdown_metacharacter(s):
    out = md_text(s, limit=None)  # type: ignore[arg-type]
    unescaped = re.sub(r"\\.", "", out)
    assert not re.search(r"[`*_\[\]<>|~#&\\]", unescaped), out
    assert "\n" not in out


# ---------------------------------------------------------------------------------------------
# --redact


def test_redact_replaces_consistently_and_leaves_the_original_alone():
    a = seed_split()
    a.pods[0].addresses.append("10.128.2.5:7800")
    a.findings.append(Finding(id="X", severity=Severity.WARNING, summary="peer 10.128.2.5 refused; token=abc.def user=alice",
                              evidence=[Evidence(source="/home/alice/kc.log", line=1,
                                                 text="Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig fe80::1%eth0 bob@example.com "
                                                      "10.128.2.6 username=alice")]))
    r = redact(a)
    assert "10.128.2.5:7800" in a.pods[0].addresses  # original unchanged
    assert "ip-1:7800" in r.pods[0].addresses
    f = r.findings[-1]
    assert f.summary == "peer ip-1 refused; token=token-1 user=user-1"
    assert f.evidence[0].source == "/home/user-1/kc.log"
    text = f.evidence[0].text
    assert "ip-2%eth0" in text and "ip-3" in text and "email-1" in text and "username=user-1" in text
    assert "Bearer token-2" in text
    for secret in ("10.128", "alice", "bob@", "eyJ", "abc.def", "fe80"):
        assert secret not in repr(r.findings[-1]) and secret not in repr(r.pods)
    # what the report is about stays: pod and member names, views, times
    assert [p.name for p in r.pods] == [p.name for p in a.pods]
    assert r.channels[0].clusters[0].view_id == a.channels[0].clusters[0].view_id
    assert r.channels[0].segments[0].start == a.channels[0].segments[0].start


def test_redact_keeps_times_versions_and_names():
    s = "07:26:27,828 JGroups 4.2.18.Final keycloak-0-12345 Foo::bar aa:bb:cc:dd:ee:ff 2024-05-01T10:00:00Z view [a|3]"
    assert redact_text(s) == s


def test_redact_numbers_per_value():
    r = Redactor()
    assert r.text("10.0.0.1 10.0.0.2 10.0.0.1") == "ip-1 ip-2 ip-1"
    assert r.text("[2001:db8::1]:7800 2001:db8:0:0:0:0:0:1") == "[ip-3]:7800 ip-3"
    assert r.text("user=null userId=abc") == "user=null userId=user-1"


def test_html_of_redacted_analysis_has_no_address():
    a = three_pods()
    a.pods[0].addresses.append("192.168.7.9:7800")
    doc = html_report.render(redact(a), redacted=True)
    assert "192.168.7.9" not in doc and "ip-1:7800" in doc and "Redacted for sharing" in doc


# ---------------------------------------------------------------------------------------------
# the command

needs_samples = pytest.mark.skipif(not (SAMPLES / "seed-split").is_dir(), reason="sample_logs/seed-split not present")


def invoke(args: list[str]):
    """``jgview ARGS`` in this process (click's test runner)."""
    from conftest import invoke_cli

    return invoke_cli(args)


@needs_samples
def test_report_cli_writes_the_file_and_exits_with_the_analysis_code(tmp_path):
    seed = SAMPLES / "seed-split"
    out = tmp_path / "incident.html"
    proc = run_jgview(["report", "--date", "2020-10-20", str(seed), "-o", str(out), "--title", "Incident <42>"])
    assert proc.returncode == 1, proc.stderr  # the analysis' exit code: split
    doc = out.read_text()
    assert doc.startswith("<!DOCTYPE html>") and "<title>Incident &lt;42&gt;</title>" in doc
    assert proc.stdout == b""
    assert [p.name for p in tmp_path.iterdir()] == ["incident.html"]  # nothing else written

    md = tmp_path / "incident.md"
    res = invoke(["report", "--date", "2020-10-20", str(seed), "-o", str(md)])
    assert res.exit_code == 1 and md.read_text().startswith("# jgview report\n")
    res = invoke(["report", "--date", "2020-10-20", str(seed), "--format", "md", "-o", "-"])
    assert res.exit_code == 1 and res.stdout.startswith("# jgview report")
    res = invoke(["report", str(SAMPLES / "seed-fix"), "--date", "2020-10-20", "--format", "md", "-o", "-"])
    assert res.exit_code == 0


def test_report_cli_usage_errors_and_refusals(tmp_path):
    victim = tmp_path / "pod.log"
    content = "2024-05-01 10:00:00,000 INFO  [org.jgroups.protocols.pbcast.GMS] kc-0: no members discovered after 3 ms: creating cluster as coordinator\n"
    victim.write_text(content)
    # no output named, unknown extension
    assert invoke(["report", str(victim)]).exit_code == 2
    res = invoke(["report", str(victim), "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code == 2 and "--format" in res.stderr
    # never over an input: the file itself, or a file inside an input directory
    res = invoke(["report", str(victim), "-o", str(victim), "--format", "md"])
    assert res.exit_code == 2 and "refusing" in res.stderr
    res = invoke(["report", str(tmp_path), "-o", str(victim), "--format", "html"])
    assert res.exit_code == 2
    assert victim.read_text() == content
    # a write error is one line and exit 2
    res = invoke(["report", str(victim), "-o", str(tmp_path / "no" / "such" / "dir.html")])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[-1].startswith("jgview: cannot write the report") and "Traceback" not in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.log"]


@needs_samples
def test_report_cli_redact(tmp_path):
    scen = SAMPLES / "keycloak-healthy-3"
    if not scen.is_dir():
        pytest.skip("sample_logs/keycloak-healthy-3 not present")
    plain = run_jgview(["report", str(scen), "--format", "html", "-o", "-"]).stdout.decode()
    red = run_jgview(["report", str(scen), "--format", "html", "-o", "-", "--redact"]).stdout.decode()
    ips = set(re.findall(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", plain))
    assert ips, "the sample should show addresses"
    assert not set(re.findall(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", red))
    assert "ip-1" in red and "Redacted" in red


@pytest.mark.parametrize("name", MD_SCENARIOS)
def test_markdown_goldens_of_samples(name):
    scen = SAMPLES / name
    if not scen.is_dir():
        pytest.skip(f"sample_logs/{name} not present")
    golden = scen / "expected.md"
    if not golden.exists():
        pytest.skip(f"no {golden}; run: python tests/regen_goldens.py --md {name}")
    got, code, err = markdown_of(scen, in_process=True)
    assert "Traceback" not in err
    assert got == golden.read_text(encoding="utf-8"), f"Markdown of {name} changed; review and run tests/regen_goldens.py --md {name}"


# ---------------------------------------------------------------------------------------------
# in a real browser

def _write(tmp_path: Path, name: str, doc: str) -> Path:
    p = tmp_path / name
    p.write_text(doc, encoding="utf-8")
    return p


def _dom_svgs(dom: str) -> list[dict]:
    return parse(dom).svgs


@pytest.mark.browser
def test_browser_renders_one_lane_per_pod_and_the_split(tmp_path):
    require_chromium()
    page = _write(tmp_path, "split.html", html_report.render(seed_split(), title="Seed split"))
    dom = dump_dom(page)
    svgs = _dom_svgs(dom)
    assert svgs and all(len(s["lanes"]) == 2 for s in svgs)
    assert "<script" not in dom.lower()
    png = screenshot(page, tmp_path / "split.png")
    stats = pixel_stats(png)
    assert stats["width"] == 1400 and stats["distinct"] > 50 and stats["non_background"] > 0.03, stats
    # both clusters' colours are on the first screen: the split is visible at a glance
    assert colour_present(png, (0x00, 0x72, 0xB2)) > 200
    assert colour_present(png, (0xE6, 0x9F, 0x00)) > 200


@pytest.mark.browser
def test_browser_healthy_cluster_shows_one_colour(tmp_path):
    require_chromium()
    page = _write(tmp_path, "fix.html", html_report.render(seed_fix()))
    png = screenshot(page, tmp_path / "fix.png")
    assert colour_present(png, (0x00, 0x72, 0xB2)) > 200
    assert colour_present(png, (0xE6, 0x9F, 0x00)) == 0


@pytest.mark.browser
def test_browser_partition_in_dark_mode(tmp_path):
    require_chromium()
    page = _write(tmp_path, "part.html", html_report.render(three_pods(tail=3600)))
    png = screenshot(page, tmp_path / "dark.png", dark=True)
    stats = pixel_stats(png)
    assert sum(stats["background"]) < 120, stats  # a dark page
    assert colour_present(png, (0xF0, 0xB4, 0x3C)) > 50  # cluster 1 in its dark-mode colour


@pytest.mark.browser
def test_browser_sixty_pods(tmp_path):
    require_chromium()
    page = _write(tmp_path, "big.html", html_report.render(big()))
    svgs = _dom_svgs(dump_dom(page, timeout=90))
    assert len(svgs[0]["lanes"]) == 60
    assert len({lane["pod"] for lane in svgs[0]["lanes"]}) == 60
