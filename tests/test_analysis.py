"""History and analysis from hand-built events: verdicts, clusters, splits, merges, liveness.

These tests do not parse logs; they pin down how the evidence is read (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from jgview.history import SourceEvents
from jgview.models import Event, Kind, SourceInfo, Verdict, View
from jgview.pipeline import AnalyzeOptions, analyze_sources

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


def at(sec: float) -> datetime:
    return T0 + timedelta(seconds=sec)


def view(creator: str, vid: int, *members: str, size: int | None = None, truncated: bool = False) -> View:
    return View(creator=creator, id=vid, members=tuple(members), size=size or len(members), truncated=truncated)


class Log:
    """Builds one pod's source of events."""

    def __init__(self, pod: str, *, previous: bool = False, end: float | None = None):
        self.pod = pod
        self.events: list[Event] = []
        self.previous = previous
        self.end = end
        self.n = 0

    def _ev(self, kind: Kind, t: float, **kw) -> "Log":
        self.n += 1
        self.events.append(Event(kind=kind, source=f"{self.pod}.log", lineno=self.n, text=f"{kind.value} line", time=at(t), pod=self.pod, **kw))
        return self

    def start(self, t: float, channel: str = "ISPN") -> "Log":
        return self._ev(Kind.CHANNEL_START, t, channel=channel)

    def addr(self, t: float, name: str, channel: str = "ISPN") -> "Log":
        return self._ev(Kind.LOCAL_ADDRESS, t, channel=channel, subject=name, node=name)

    def created(self, t: float, name: str) -> "Log":
        return self._ev(Kind.CREATED_CLUSTER, t, node=name)

    def view(self, t: float, v: View, channel: str = "ISPN") -> "Log":
        return self._ev(Kind.VIEW, t, channel=channel, view=v)

    def merged(self, t: float, v: View, *subgroups: View, channel: str = "ISPN") -> "Log":
        return self._ev(Kind.MERGED_VIEW, t, channel=channel, view=v, subgroups=subgroups)

    def stop(self, t: float, channel: str = "ISPN") -> "Log":
        return self._ev(Kind.CHANNEL_STOP, t, channel=channel)

    def lost(self, t: float, current: tuple[str, ...], lost: tuple[str, ...]) -> "Log":
        return self._ev(Kind.LOST_MEMBERS, t, members=current, lost=lost)

    def mode(self, t: float, mode: str) -> "Log":
        return self._ev(Kind.AVAILABILITY, t, detail={"mode": mode})

    def source(self) -> SourceEvents:
        last = self.end if self.end is not None else max((e.time for e in self.events), default=T0).timestamp() - T0.timestamp()
        info = SourceInfo(name=f"{self.pod}.log", first_time=T0, last_time=at(last), lines=100)
        return SourceEvents(info=info, events=self.events, pod_hint=self.pod, strong_hint=True, previous=self.previous)


def run(*logs: Log, expect: int | None = None):
    return analyze_sources([lg.source() for lg in logs], AnalyzeOptions(expect=expect))


def test_seed_split_two_coordinators_is_split():
    a = Log("keycloak-demo-1-n8gpd").created(0, "keycloak-demo-1-n8gpd").start(1, "ejb").view(
        1, view("keycloak-demo-1-n8gpd", 0, "keycloak-demo-1-n8gpd"), "ejb"
    )
    b = Log("keycloak-demo-1-j6p5h").created(240, "keycloak-demo-1-j6p5h").start(241, "ejb")
    b.end = 600
    a.end = 600
    r = run(a, b)
    assert r.verdict is Verdict.SPLIT
    assert r.exit_code == 1
    (ch,) = r.channels
    assert ch.channel == "ejb"
    assert sorted(c.view_id for c in ch.clusters) == ["[keycloak-demo-1-j6p5h|0]", "[keycloak-demo-1-n8gpd|0]"]
    assert ch.splits and ch.splits[0].end is None
    assert sorted(map(tuple, ch.splits[0].groups)) == [("keycloak-demo-1-j6p5h",), ("keycloak-demo-1-n8gpd",)]


def test_seed_fix_second_pod_joins_is_healthy():
    a = Log("kc-1-mvrfg").created(0, "kc-1-mvrfg").start(1, "ejb").view(1, view("kc-1-mvrfg", 0, "kc-1-mvrfg"), "ejb")
    a.view(130, view("kc-1-mvrfg", 1, "kc-1-mvrfg", "kc-1-vv5jn"), "ejb")
    b = Log("kc-1-vv5jn").start(130, "ejb").view(130.1, view("kc-1-mvrfg", 1, "kc-1-mvrfg", "kc-1-vv5jn"), "ejb")
    r = run(a, b)
    assert r.verdict is Verdict.HEALTHY
    assert r.exit_code == 0
    (cl,) = r.channels[0].clusters
    assert cl.view_id == "[kc-1-mvrfg|1]" and cl.coordinator == "kc-1-mvrfg"
    assert cl.seen_by == ["kc-1-mvrfg", "kc-1-vv5jn"]


def test_single_pod_alone_exit_zero():
    a = Log("keycloak-0").created(0, "keycloak-0-123").start(0, "ISPN").view(0, view("keycloak-0-123", 0, "keycloak-0-123"))
    r = run(a)
    assert r.verdict is Verdict.ALONE and r.exit_code == 0


def test_single_pod_alone_but_expect_three_is_split():
    a = Log("keycloak-0").created(0, "keycloak-0-123").view(0, view("keycloak-0-123", 0, "keycloak-0-123"))
    r = run(a, expect=3)
    assert r.verdict is Verdict.SPLIT


def test_no_views_unknown_exit_3():
    r = run(Log("keycloak-0")._ev(Kind.USER_SYMPTOM, 0))
    assert r.verdict is Verdict.UNKNOWN and r.exit_code == 3


def _three_pod_cluster():
    names = ["keycloak-0-1", "keycloak-1-2", "keycloak-2-3"]
    logs = [Log(f"keycloak-{i}") for i in range(3)]
    logs[0].addr(0, names[0]).view(0, view(names[0], 0, names[0]))
    v1 = view(names[0], 1, *names[:2])
    v2 = view(names[0], 2, *names)
    logs[0].view(10, v1).view(20, v2)
    logs[1].addr(10, names[1]).view(10, v1).view(20, v2)
    logs[2].addr(20, names[2]).view(20, v2)
    return names, logs


def test_partition_then_merge_is_healed_with_interval():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[2].view(101, view(c, 3, c))
    merge = view(a, 4, a, b, c)
    subs = (view(a, 3, a, b), view(c, 3, c))
    for lg in logs:
        lg.merged(140, merge, *subs)
    r = run(*logs)
    assert r.verdict is Verdict.HEALED and r.exit_code == 0
    ch = r.channels[0]
    assert len(ch.clusters) == 1 and ch.clusters[0].view_id == f"[{a}|4]"
    # the split starts when the coordinator excludes keycloak-2 (its own singleton view comes later)
    assert ch.splits and ch.splits[0].start == at(100) and ch.splits[0].end == at(140)
    assert ch.merges and ch.merges[0].groups == [sorted([a, b]), [c]]
    # timeline segments: keycloak-2 sits in another cluster between 100 and 140, then rejoins
    segs2 = [s for s in ch.segments if s.pod == "keycloak-2"]
    labels0 = {s.cluster for s in ch.segments if s.pod == "keycloak-0"}
    assert len(labels0) == 1
    apart = [s for s in segs2 if s.cluster not in labels0]
    assert apart and min(s.start for s in apart) == at(100) and max(s.end for s in apart) == at(140)
    assert segs2[-1].cluster in labels0 and segs2[-1].end is None


def test_partition_unhealed_while_both_sides_live_is_split():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[2].view(101, view(c, 3, c))
    for lg in logs:
        lg.end = 900
    r = run(*logs)
    assert r.verdict is Verdict.SPLIT
    assert len(r.channels[0].clusters) == 2


def test_member_excluded_whose_log_ends_left_not_split():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[2].end = 99  # keycloak-2's log ends (crash) before it is excluded
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[0].end = logs[1].end = 500
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY
    assert [p.live for p in r.pods] == [True, True, False]


def test_member_excluded_whose_log_goes_on_was_partitioned():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[2].end = 500  # its own log goes on, silent about views
    logs[0].end = logs[1].end = 500
    r = run(*logs)
    assert r.verdict is Verdict.SPLIT


def test_later_view_of_same_creator_supersedes_for_silent_member():
    names, logs = _three_pod_cluster()
    a, b, c = names
    # keycloak-1's log stops printing views after v2, but the coordinator's later view lists it
    d = "keycloak-3-4"
    logs.append(Log("keycloak-3").addr(300, d).view(300, view(a, 3, a, b, c, d)))
    logs[0].view(300, view(a, 3, a, b, c, d))
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY
    (cl,) = r.channels[0].clusters
    assert cl.view_id == f"[{a}|3]" and set(cl.seen_by) == {"keycloak-0", "keycloak-1", "keycloak-2", "keycloak-3"}


def test_graceful_rolling_restart_is_healthy_with_incarnations():
    names, logs = _three_pod_cluster()
    a, b, c = names
    # keycloak-2 stops gracefully and comes back under a new name
    logs[2].stop(100)
    logs[0].view(101, view(a, 3, a, b))
    logs[1].view(101, view(a, 3, a, b))
    c2 = "keycloak-2-99"
    logs[2].start(130).addr(130, c2).view(131, view(a, 4, a, b, c2))
    logs[0].view(131, view(a, 4, a, b, c2))
    logs[1].view(131, view(a, 4, a, b, c2))
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY, r.channels[0].splits
    pod2 = next(p for p in r.pods if p.name == "keycloak-2")
    assert [i.name for i in pod2.incarnations] == [c, c2]
    assert pod2.incarnations[0].stopped


def test_restart_in_separate_previous_log_is_new_incarnation():
    prev = Log("keycloak-1", previous=True).addr(0, "keycloak-1-111").view(0, view("keycloak-0-1", 1, "keycloak-0-1", "keycloak-1-111"))
    prev.end = 50
    cur = Log("keycloak-1").addr(60, "keycloak-1-222").view(61, view("keycloak-0-1", 3, "keycloak-0-1", "keycloak-1-222"))
    a = Log("keycloak-0").addr(0, "keycloak-0-1").view(0, view("keycloak-0-1", 1, "keycloak-0-1", "keycloak-1-111"))
    a.view(55, view("keycloak-0-1", 2, "keycloak-0-1")).view(61, view("keycloak-0-1", 3, "keycloak-0-1", "keycloak-1-222"))
    r = run(prev, cur, a)
    assert r.verdict is Verdict.HEALTHY
    p1 = next(p for p in r.pods if p.name == "keycloak-1")
    assert len(p1.incarnations) == 2


def test_degraded_mode_not_cleared_is_split():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].lost(100, (a,), (b, c)).mode(100, "DEGRADED_MODE")
    for lg in logs:
        lg.end = 500
    r = run(*logs)
    assert r.verdict is Verdict.SPLIT


def test_degraded_mode_cleared_by_available():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].lost(100, (a,), (b, c)).mode(100, "DEGRADED_MODE").mode(200, "AVAILABLE")
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY


def test_two_workloads_never_sharing_a_view_are_two_clusters_not_a_split():
    kc = Log("keycloak-0").addr(0, "keycloak-0-1").view(0, view("keycloak-0-1", 0, "keycloak-0-1"))
    kc1 = Log("keycloak-1").addr(5, "keycloak-1-2").view(5, view("keycloak-0-1", 1, "keycloak-0-1", "keycloak-1-2"))
    kc.view(5, view("keycloak-0-1", 1, "keycloak-0-1", "keycloak-1-2"))
    ispn = Log("infinispan-0").addr(0, "infinispan-0-7").view(0, view("infinispan-0-7", 0, "infinispan-0-7"))
    r = run(kc, kc1, ispn)
    assert r.verdict is Verdict.HEALTHY
    groups = sorted(c.group for c in r.channels)
    assert groups == ["infinispan", "keycloak"]


def test_duplicate_view_lines_collapse():
    v = view("keycloak-0-1", 0, "keycloak-0-1")
    a = Log("keycloak-0").addr(0, "keycloak-0-1").view(0, v).view(0.001, v).view(0.002, v)
    r = run(a)
    assert r.stats["duplicates"] == 2
    assert len(r.pods[0].channels["ISPN"]) == 1


def test_coordinator_change_is_healthy():
    names, logs = _three_pod_cluster()
    a, b, c = names
    logs[0].stop(100)
    logs[1].view(101, view(b, 3, b, c))
    logs[2].view(101, view(b, 3, b, c))
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY
    assert r.channels[0].clusters[0].coordinator == b


def test_truncated_view_does_not_make_a_split():
    members = [f"kc-{i}-{i}" for i in range(25)]
    shown = view(members[0], 5, *members[:20], size=25, truncated=True)
    logs = [Log("kc-0").addr(0, members[0]).view(1, shown), Log("kc-22").addr(0, members[22]).view(1, shown)]
    r = run(*logs)
    assert r.verdict is Verdict.HEALTHY


@pytest.mark.parametrize("n", [2, 5])
def test_n_singletons_after_creating_cluster_is_split(n):
    logs = [Log(f"keycloak-{i}").created(i, f"keycloak-{i}-{i}") for i in range(n)]
    for lg in logs:
        lg.end = 1000
    r = run(*logs)
    assert r.verdict is Verdict.SPLIT
    assert len(r.channels[0].clusters) == n


def test_time_only_log_that_starts_after_midnight_is_placed_on_the_next_day():
    def tod_log(pod, node, tods):
        evs = []
        for n, (tod, kind, v) in enumerate(tods, 1):
            evs.append(Event(kind=kind, source=f"{pod}.log", lineno=n, text="x", time_of_day=tod, pod=pod,
                             node=node, channel="ejb", view=v))
        return SourceEvents(info=SourceInfo(name=f"{pod}.log", lines=10), events=evs, pod_hint=pod, strong_hint=True)

    a, b = "wf-0", "wf-1"
    va = view(a, 0, a)
    vb = view(a, 1, a, b)
    r = analyze_sources([
        tod_log(a, a, [("23:50:00,000", Kind.VIEW, va), ("00:10:00,000", Kind.VIEW, vb)]),
        tod_log(b, b, [("00:10:00,100", Kind.VIEW, vb)]),
    ], AnalyzeOptions())
    assert r.time_axis == "time-of-day"
    assert r.verdict is Verdict.HEALTHY
    segs = {s.pod: s for s in r.channels[0].segments if s.end is None}
    assert segs["wf-1"].t_start > 86400  # the next day, after wf-0's 23:50


def test_a_view_logged_again_spreads_to_a_member_that_fell_behind_since():
    """A view is spread to the members it lists once per change that can matter: kc-2 takes an
    older view of the lineage after kc-0 logged [A|5], so kc-1 logging [A|5] again moves it on."""
    a, b, c = "kc-0-1", "kc-1-1", "kc-2-1"
    logs = [
        Log("kc-0").addr(0, a).view(0, view(a, 1, a, b)).view(10, view(a, 5, a, b, c)),
        Log("kc-1").addr(0, b).view(0, view(a, 1, a, b)).view(30, view(a, 5, a, b, c)),
        Log("kc-2").addr(0, c).created(0, c).view(0, view(c, 0, c)).view(20, view(a, 4, a, b, c)),
    ]
    r = run(*logs)
    last = {s.pod: s for s in sorted(r.channels[0].segments, key=lambda s: s.t_start or 0)}
    assert last["kc-2"].view_id == f"[{a}|5]" and last["kc-2"].start == at(30)
    assert {s.view_id for s in last.values()} == {f"[{a}|5]"}
