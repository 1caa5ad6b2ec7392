"""The near-linear ``Facts._lonely_in`` gives exactly what the straightforward (quadratic) one gave.

Small, varied histories are built from hand-made events (as ``test_analysis.py`` does) and fed
through ``analyze_sources``; for every cluster group the optimized method and the oracle kept
below (the previous implementation, copied: ``self`` → ``facts``, one line wrapped) must return
the same lonely incarnations, in the same order, down to the identity of the observation and
events they point at.

The generator aims at what the optimized code special-cases: observations at the same second
(ties, within a pod and across pods), incarnations whose end comes before some of their views
(out-of-order lines, a log that ends early), single-member views naming another pod, restarts
(CHANNEL_STOP, then a new JGroups name), previous logs, truncated views, merged views with
subgroups, two channels, pods that never create a singleton and names of no known pod. The
property test counts these cases and fails if any of them never occurred, and mutants of the
oracle (one condition changed each) must be told apart by the same generator.
"""

from __future__ import annotations

import bisect
import inspect
import textwrap
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

import jgview.findings
from jgview.findings.r00_common import INF, Facts, Lonely
from jgview.history import SourceEvents
from jgview.models import Event, Kind, SourceInfo, View
from jgview.pipeline import AnalyzeOptions, analyze_sources

# ---------------------------------------------------------------------------------------------
# the oracle


def _reference_lonely_in(facts: Any, r: Any) -> list[Lonely]:
    """The straightforward version of ``Facts._lonely_in``, kept as the oracle: the method as it
    was before it was rewritten for speed (quadratic in the observations), ``self`` → ``facts``.
    Do not optimize it; its worth is that it is obviously what the docstrings say."""
    ch = r.analysis.channel
    pods = set(facts.group_pods(r))
    obs = [o for o in facts.h.obs if o.channel == ch and o.pod in pods]
    obs.sort(key=facts.ot)
    times = [facts.ot(o) for o in obs]
    by_inc: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for o in obs:
        by_inc[(o.pod, o.inc)].append(o)
    inc_times = {k: [facts.ot(o) for o in lst] for k, lst in by_inc.items()}
    nxt: dict[int, float] = {}
    for (p, i), lst in by_inc.items():
        end = facts.inc_end(p, i, r)
        for a, b in zip(lst, lst[1:] + [None]):
            nxt[id(a)] = facts.ot(b) if b is not None else end
    out: list[Lonely] = []
    for (p, i), lst in by_inc.items():
        cs = next((o for o in lst if facts._created_singleton(o)), None)
        if cs is None:
            continue
        t0 = facts.ot(cs)
        inc_end = facts.inc_end(p, i, r)
        lo = bisect.bisect_left(times, t0)

        def later_views(p: str = p, i: int = i, cs: Any = cs, inc_end: float = inc_end, lo: int = lo) -> Any:
            """Views after t0 (time order) that list p with someone: lazily, first ones first."""
            for q in obs[lo:]:
                if facts.ot(q) >= inc_end:
                    return
                if q is not cs and not (q.pod == p and q.inc != i) and len(q.view.members) > 1 \
                        and facts.contains(q.view, p):
                    yield q

        first_later = next(later_views(), None)
        # alone until a view lists p with anyone; the other side: pods live meanwhile in views
        # that do not list p
        alone_end = facts.ot(first_later) if first_later is not None else inc_end
        others: set[str] = set()
        # views that were current at t0 (begun before it) ...
        for (p2, _i2), lst2 in by_inc.items():
            if p2 == p:
                continue
            k = bisect.bisect_left(inc_times[(p2, _i2)], t0) - 1
            if k >= 0:
                q = lst2[k]
                if nxt.get(id(q), INF) > t0 and not facts.contains(q.view, p):
                    others.add(q.pod)
        # ... and views begun while p was alone
        for q in obs[lo:]:
            qs = facts.ot(q)
            if qs >= alone_end:
                break
            if q.pod != p and q.pod not in others and nxt.get(id(q), INF) > t0 \
                    and not facts.contains(q.view, p):
                others.add(q.pod)
        if not others:
            continue
        # the split ends when a view lists p together with one of the other side
        t_end, how, end_ev = inc_end, "open", None
        if inc_end != INF:
            ph = facts.h.pods[p]
            how = "restart" if i < len(ph.incs) - 1 else "stopped"
        for q in later_views():
            if any(facts.contains(q.view, x) for x in others):
                t_end, end_ev = facts.ot(q), q.event
                how = "merge" if q.kind == "merged" and len(q.subgroups) >= 2 else "joined"
                break
        created = facts._created_line(p, cs)
        out.append(
            Lonely(pod=p, inc=i, obs=cs, created=created, start=t0, end=t_end, how=how, end_event=end_ev,
                   others=others, result=r)
        )
    return out


# ---------------------------------------------------------------------------------------------
# building histories (cf. the Log helper of test_analysis.py)

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)
PODS = ("kc-0", "kc-1", "kc-2", "ispn-0")
"""The kc-* pods share a workload (one cluster group per channel); ispn-0 joins it only through
views that list it."""
CHANNELS = ("ISPN", "ejb")
MAX_INC = 3
ME = "@me"
"""A member token: the logging pod's current JGroups name."""
GHOST = "ghost-7-1000"
"""A member name of no known pod."""


def jname(pod: str, k: int) -> str:
    """The JGroups name of a pod's k-th run (``kc-0-1000``: the default ``hostname-random``)."""
    return f"{pod}-{1000 + min(k, MAX_INC - 1)}"


NAMES = tuple(jname(p, k) for p in PODS for k in range(MAX_INC)) + (GHOST,)


def at(sec: float) -> datetime:
    return T0 + timedelta(seconds=sec)


class _Log:
    def __init__(self, pod: str, name: str, previous: bool) -> None:
        self.pod, self.name, self.previous = pod, name, previous
        self.events: list[Event] = []

    def ev(self, kind: Kind, t: float, **kw: Any) -> None:
        n = len(self.events) + 1
        self.events.append(Event(kind=kind, source=self.name, lineno=n, text=f"{kind.value} line {n}",
                                 time=at(t), pod=self.pod, **kw))

    def source(self, end: float | None) -> SourceEvents:
        last = max((e.time for e in self.events), default=T0) if end is None else at(end)
        info = SourceInfo(name=self.name, first_time=T0, last_time=last, lines=100)
        return SourceEvents(info=info, events=self.events, pod_hint=self.pod, strong_hint=True,
                            previous=self.previous)


def build(spec: Any) -> list[SourceEvents]:
    """Sources from a drawn spec: per pod, its sources (a previous log, then the current one),
    each a list of steps ``(dt, action, ...)`` with ``dt`` seconds since the step before."""
    out: list[SourceEvents] = []
    for pod, srcs in spec:
        k, t = 0, 0.0
        for n, (shift, end, steps) in enumerate(srcs):
            t += shift
            previous = n < len(srcs) - 1
            lg = _Log(pod, f"{pod}{'-previous' if previous else ''}.log", previous)
            for step in steps:
                dt, action, args = step[0], step[1], step[2:]
                t += dt
                me = jname(pod, k)

                def mem(names: tuple[str, ...], me: str = me) -> tuple[str, ...]:
                    return tuple(dict.fromkeys(me if m == ME else m for m in names))

                if action == "start":
                    lg.ev(Kind.CHANNEL_START, t, channel=args[0])
                elif action == "addr":
                    lg.ev(Kind.LOCAL_ADDRESS, t, channel=args[0], subject=me, node=me)
                elif action == "created":
                    lg.ev(Kind.CREATED_CLUSTER, t, node=me)
                elif action == "self":  # [me|vid] (1) [me]
                    ch, vid = args
                    lg.ev(Kind.VIEW, t, channel=ch, view=View(creator=me, id=vid, members=(me,), size=1))
                elif action == "alone":  # a single-member view naming someone else
                    ch, who, vid = args
                    lg.ev(Kind.VIEW, t, channel=ch, view=View(creator=who, id=vid, members=(who,), size=1))
                elif action == "view":
                    ch, names, vid, hidden = args
                    ms = mem(names)
                    v = View(creator=ms[0], id=vid, members=ms, size=len(ms) + hidden, truncated=hidden > 0)
                    lg.ev(Kind.VIEW, t, channel=ch, view=v)
                elif action == "merged":
                    ch, names, cut, vid = args
                    ms = mem(names)
                    parts = [g for g in (ms[:cut], ms[cut:]) if g]  # two subgroups, or one (cut at an end)
                    sid = max(vid - 1, 0)
                    subs = tuple(View(creator=g[0], id=sid, members=g, size=len(g)) for g in parts)
                    v = View(creator=ms[0], id=vid, members=ms, size=len(ms))
                    lg.ev(Kind.MERGED_VIEW, t, channel=ch, view=v, subgroups=subs)
                elif action == "stop":
                    lg.ev(Kind.CHANNEL_STOP, t, channel=args[0])
                    k += 1
                elif action == "restart":  # stop, start again under a new name
                    lg.ev(Kind.CHANNEL_STOP, t, channel=args[0])
                    k += 1
                    lg.ev(Kind.CHANNEL_START, t + 1, channel=args[0])
                    new = jname(pod, k)
                    lg.ev(Kind.LOCAL_ADDRESS, t + 1, channel=args[0], subject=new, node=new)
                else:  # pragma: no cover - the strategy makes only the actions above
                    raise AssertionError(action)
            out.append(lg.source(None if end is None else t + end))
            k += 1  # the next source is a new container run
    return out


DT = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 5, 8, -1, -3])
"""Seconds between steps: many ties, some lines out of order."""
CH = st.sampled_from(CHANNELS[:1] * 2 + CHANNELS[1:])
"""Mostly ISPN; some ejb (a second channel, its own cluster groups)."""
VID = st.sampled_from([0, 0, 1, 2, 3, 4])
MEMBERS = st.lists(st.sampled_from((ME, ME, ME) + NAMES), min_size=1, max_size=4).map(tuple)
WITH_ME = MEMBERS.map(lambda ms: (ME, *ms))
"""Members that list the logging pod first (a merge that ends its loneliness, if it was alone)."""

STEP = st.one_of(
    st.tuples(DT, st.just("start"), CH),
    st.tuples(DT, st.just("addr"), CH),
    st.tuples(DT, st.just("created")),
    st.tuples(DT, st.just("self"), CH, VID),
    st.tuples(DT, st.just("self"), CH, VID),
    st.tuples(DT, st.just("alone"), CH, st.sampled_from(NAMES), VID),
    st.tuples(DT, st.just("view"), CH, MEMBERS, VID, st.sampled_from([0, 0, 0, 1, 2])),
    st.tuples(DT, st.just("view"), CH, MEMBERS, VID, st.just(0)),
    st.tuples(DT, st.just("merged"), CH, MEMBERS, st.integers(0, 3), VID),
    st.tuples(DT, st.just("merged"), CH, WITH_ME, st.integers(1, 3), VID),
    st.tuples(DT, st.just("stop"), CH),
    st.tuples(DT, st.just("restart"), CH),
)
SOURCE = st.tuples(st.sampled_from([0, 0, 0, 5, -4, -10]), st.one_of(st.none(), st.integers(-5, 30)),
                   st.lists(STEP, min_size=1, max_size=8))
"""(shift of its first line from the last line of the pod's log before, which may go back: the
runs overlap; where the log ends, relative to its last step, None = at its last line; steps)"""


@st.composite
def histories(draw: Any) -> list[tuple[str, list[Any]]]:
    pods = draw(st.lists(st.sampled_from(PODS), min_size=2, max_size=4, unique=True))
    return [(p, draw(st.lists(SOURCE, min_size=1, max_size=2))) for p in pods]


# ---------------------------------------------------------------------------------------------
# comparing


def _readable(lo: Lonely) -> tuple:
    def where(ev: Event | None) -> str | None:
        return None if ev is None else f"{ev.source}:{ev.lineno}"

    return (lo.pod, lo.inc, lo.start, lo.end, lo.how, sorted(lo.others), where(lo.obs.event),
            where(lo.created), where(lo.end_event))


def _same(a: list[Lonely], b: list[Lonely], r: Any) -> bool:
    """Same entries in the same order: every field equal, the same objects referenced."""
    if [_readable(x) for x in a] != [_readable(x) for x in b]:
        return False
    return all(x.obs is y.obs and x.created is y.created and x.end_event is y.end_event and x.result is r
               and y.result is r for x, y in zip(a, b))


def _context(spec: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The findings context ``analyze_sources`` builds for these sources (the rules are not run:
    the context is only captured)."""
    seen: list[Any] = []

    def capture(ctx: Any) -> list[Any]:
        seen.append(ctx)
        return []

    with monkeypatch.context() as m:
        m.setattr(jgview.findings, "evaluate", capture)
        analyze_sources(build(spec), AnalyzeOptions())
    assert len(seen) == 1
    return seen[0]


def _pairs(spec: Any, monkeypatch: pytest.MonkeyPatch,
           oracle: Any = _reference_lonely_in) -> list[tuple[Facts, Any, list[Lonely], list[Lonely]]]:
    """Per cluster group: (facts, result, optimized, oracle). Each side gets its own Facts, so
    that no cache one fills can hide a difference in the other."""
    ctx = _context(spec, monkeypatch)
    out = []
    for r in ctx.results:
        f_new, f_ref = Facts(ctx), Facts(ctx)
        out.append((f_new, r, f_new._lonely_in(r), oracle(f_ref, r)))
    return out


def _cases(f: Facts, r: Any, lonely: list[Lonely]) -> set[str]:
    """The odd cases this group exercises (for the coverage check)."""
    ch = r.analysis.channel
    pods = set(f.group_pods(r))
    obs = [o for o in f.h.obs if o.channel == ch and o.pod in pods]
    times = [f.ot(o) for o in obs]
    out = set()
    if len(set(times)) < len(times):
        out.add("tie")
    if any(lo.start == f.ot(o) and o is not lo.obs for lo in lonely for o in obs):
        out.add("tie at a lonely start")
    if any(f.inc_end(o.pod, o.inc, r) < f.ot(o) for o in obs):
        out.add("incarnation ends before one of its views")
    if any(f.inc_end(lo.pod, lo.inc, r) < lo.start for lo in lonely):
        out.add("lonely incarnation ends before its singleton")
    if any(len(o.view.members) == 1 and f.pod_of(o.view.members[0]) != o.pod for o in obs):
        out.add("single member of another pod")
    if any(len(f.h.pods[p].incs) > 1 for p in pods if p in f.h.pods):
        out.add("restart")
    if any(lo.inc > 0 for lo in lonely):
        out.add("lonely after a restart")
    if any(o.view.truncated for o in obs):
        out.add("truncated")
    if any(o.kind == "merged" and len(o.subgroups) >= 2 for o in obs):
        out.add("merged")
    if any(not any(f._created_singleton(o) for o in obs if o.pod == p) for p in {o.pod for o in obs}):
        out.add("pod without a singleton")
    if any(None in f.view_pods(o.view) for o in obs):
        out.add("member of no known pod")
    if lonely:
        out.add("lonely")
    out.update(f"how={lo.how}" for lo in lonely)
    return out


REQUIRED = {
    "tie", "tie at a lonely start", "incarnation ends before one of its views",
    "lonely incarnation ends before its singleton", "single member of another pod", "restart",
    "lonely after a restart", "truncated", "merged", "pod without a singleton", "member of no known pod",
    "lonely", "several channels", "how=open", "how=merge", "how=joined", "how=restart", "how=stopped",
}

FAST = dict(deadline=None, database=None, derandomize=True)
"""Deterministic runs (the coverage assertions must not depend on luck), nothing written to disk."""


def test_optimized_lonely_in_equals_the_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=400, **FAST)
    @given(histories())
    def check(spec: Any) -> None:
        pairs = _pairs(spec, monkeypatch)
        if len({r.analysis.channel for _f, r, _a, _b in pairs}) > 1:
            seen["several channels"] += 1
        for f, r, new, ref in pairs:
            assert _same(new, ref, r), (
                f"channel {r.analysis.channel}, pods {f.group_pods(r)}:\n"
                f"optimized: {[_readable(x) for x in new]}\noracle:    {[_readable(x) for x in ref]}"
            )
            seen["compared"] += 1
            for c in _cases(f, r, ref):
                seen[c] += 1
                event(c)

    check()
    missing = REQUIRED - set(seen)
    assert not missing, f"the generator never produced: {sorted(missing)} ({dict(seen)})"
    assert seen["lonely"] >= 50, dict(seen)


# ---------------------------------------------------------------------------------------------
# the comparison is not vacuous: a known case through the whole pipeline, and mutants


def test_real_pipeline_calls_it_and_agrees_on_a_known_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """kc-0 and kc-1 form a cluster; kc-2 creates its own at 10 s and sits alone until the merge
    at 40 s. The rules reach ``_lonely_in`` through ``Facts.lonely()``; every call is compared."""
    a, b, c = jname("kc-0", 0), jname("kc-1", 0), jname("kc-2", 0)
    spec = [
        ("kc-0", [(0, 60, [(0, "addr", "ISPN"), (0, "self", "ISPN", 0), (5, "view", "ISPN", (a, b), 1, 0),
                        (35, "merged", "ISPN", (a, b, c), 2, 2)])]),
        ("kc-1", [(0, 60, [(5, "addr", "ISPN"), (0, "view", "ISPN", (a, b), 1, 0),
                        (35, "merged", "ISPN", (a, b, c), 2, 2)])]),
        ("kc-2", [(0, 50, [(10, "addr", "ISPN"), (0, "created"), (30, "merged", "ISPN", (a, b, c), 2, 2)])]),
    ]
    calls: list[tuple[list, list]] = []
    real = Facts._lonely_in

    def both(self: Facts, r: Any) -> list[Lonely]:
        new = real(self, r)
        calls.append((new, _reference_lonely_in(Facts(self.ctx), r)))
        assert _same(new, calls[-1][1], r)
        return new

    monkeypatch.setattr(Facts, "_lonely_in", both)
    analyze_sources(build(spec), AnalyzeOptions())
    assert calls, "the findings never asked for the lonely pods"
    # (every rule that asks builds the facts again: the same answer each time)
    assert all(len(new) == 1 and _readable(new[0]) == _readable(calls[0][0][0]) for new, _ref in calls)
    lo = calls[0][0][0]
    assert (lo.pod, lo.inc, lo.start, lo.end, lo.how, sorted(lo.others)) == \
        ("kc-2", 0, at(10).timestamp(), at(40).timestamp(), "merge", ["kc-0", "kc-1"])
    assert lo.created.kind is Kind.CREATED_CLUSTER and lo.created.source == "kc-2.log"
    assert lo.end_event is not None and lo.end_event.kind is Kind.MERGED_VIEW


def _mutant(old: str, new: str) -> Any:
    """The oracle with one piece of its source replaced (which must occur exactly once)."""
    src = textwrap.dedent(inspect.getsource(_reference_lonely_in))
    assert src.count(old) == 1, old
    ns = dict(globals())
    src = src.replace(old, new).replace("def _reference_lonely_in", "def _mutated")
    exec(compile(src, __file__, "exec"), ns)  # noqa: S102 - the oracle's own source, one piece changed
    return ns["_mutated"]


MUTANTS = {
    "a view current at t0 that had already ended counts": (
        "if nxt.get(id(q), INF) > t0 and not", "if not"),
    "a view ended by t0 while p was alone counts": (
        "q.pod not in others and nxt.get(id(q), INF) > t0", "q.pod not in others"),
    "a view begun exactly at t0 counts as current at t0": (
        "bisect.bisect_left(inc_times[(p2, _i2)], t0) - 1",
        "bisect.bisect_right(inc_times[(p2, _i2)], t0) - 1"),
    "a view begun exactly when p stops being alone counts": ("if qs >= alone_end:", "if qs > alone_end:"),
    "a view at the incarnation's end still counts": (
        "if facts.ot(q) >= inc_end:", "if facts.ot(q) > inc_end:"),
    "another incarnation's views of p end its loneliness": (
        "if q is not cs and not (q.pod == p and q.inc != i) and", "if q is not cs and"),
    "a single-member view naming p ends its loneliness": (
        "len(q.view.members) > 1", "len(q.view.members) >= 1"),
    "a merge of one subgroup is a merge": ("len(q.subgroups) >= 2", "len(q.subgroups) >= 1"),
    "the last incarnation ends by restart": (
        'how = "restart" if i < len(ph.incs) - 1', 'how = "restart" if i < len(ph.incs)'),
    "pods listing p in their current view count": (
        "if nxt.get(id(q), INF) > t0 and not facts.contains(q.view, p):",
        "if nxt.get(id(q), INF) > t0:"),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_generator_tells_a_mutant_oracle_apart(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With one condition of the oracle changed, some generated history gives a different answer
    than the optimized method: the property above would catch such a slip in either version."""
    mutated = _mutant(*MUTANTS[name])

    @settings(max_examples=400, phases=[Phase.generate], **FAST)
    @given(histories())
    def probe(spec: Any) -> None:
        if any(not _same(new, ref, r) for _f, r, new, ref in _pairs(spec, monkeypatch, mutated)):
            raise _Told(spec)

    with pytest.raises(_Told):
        probe()


class _Told(Exception):
    """A generated history on which the mutant and the optimized method differ (stops the search)."""
