#!/usr/bin/env python3
"""Time history + analysis of a large cluster: 500 pods, 10,000 view changes (target <= 2 s).

    python bench/history_scale.py                      # 500 pods, ~10,000 view-change events
    python bench/history_scale.py --pods 200 --views 4000 --rounds 5 --json

The events are built by hand as :class:`jgview.models.Event` values (no log parsing), like
``tests/test_analysis.py`` does, and fed to :func:`jgview.pipeline.analyze_sources`; only that
call is timed. "View changes" counts view events (``view`` + ``merged_view``) over all pods'
logs, i.e. each pod's record of each view it installed — the history stage's real workload. The
story, per pod log:

1. startup: channel start, local address, "creating cluster as coordinator", ``[p|0] (1) [p]``
   — every pod alone (as when discovery failed);
2. merge rounds: neighbouring clusters merge pairwise (MergeView with two subgroups, logged by
   every member) until one cluster holds all pods (~log2(pods) rounds);
3. rolling restarts until the budget of view events is spent: a pod stops (its channel stop),
   the others install the view without it, it comes back under a new JGroups name (a new
   incarnation) and every pod installs the view with it.

JGroups prints at most 20 members of a view (``(500) [m1, …, m20 ...]``), so the views are
truncated like real ones unless ``--full-lists``. Expected answer: verdict ``healed`` (splits
were merged), one cluster of all pods, seen by every pod. The script says whether jgview agrees.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from jgview.history import SourceEvents  # noqa: E402
from jgview.models import Event, Kind, SourceInfo, View  # noqa: E402
from jgview.pipeline import AnalyzeOptions, analyze_sources  # noqa: E402

T0 = datetime(2024, 5, 1, 6, 0, 0, tzinfo=timezone.utc)
CHANNEL = "ISPN"
JG_MAX_LIST = 20


class PodLog:
    def __init__(self, pod: str, node: str):
        self.pod = pod
        self.node = node
        self.events: list[Event] = []
        self.last = 0.0

    def ev(self, kind: Kind, t: float, **kw) -> None:
        self.last = max(self.last, t)
        self.events.append(Event(kind=kind, source=f"{self.pod}.log", lineno=len(self.events) * 37 + 1,
                                 text=f"{kind.value} line", time=T0 + timedelta(seconds=t), pod=self.pod,
                                 channel=kw.pop("channel", CHANNEL) if kind is not Kind.CREATED_CLUSTER else None,
                                 **kw))

    def source(self, end: float) -> SourceEvents:
        info = SourceInfo(name=f"{self.pod}.log", pods=[self.pod], pod_hint=self.pod, layout="keycloak",
                          lines=len(self.events) * 37, bytes=len(self.events) * 37 * 200,
                          records=len(self.events) * 37, first_time=T0, last_time=T0 + timedelta(seconds=end))
        return SourceEvents(info=info, events=self.events, pod_hint=self.pod, strong_hint=False)


def mkview(creator: str, vid: int, members: list[str], full: bool) -> View:
    shown = members if full else members[:JG_MAX_LIST]
    return View(creator=creator, id=vid, members=tuple(shown), size=len(members),
                truncated=len(shown) < len(members))


def build(pods_n: int, views: int, seed: int = 1, full: bool = False) -> tuple[list[SourceEvents], dict]:
    """The events of ``pods_n`` pods' logs holding about ``views`` view events in total."""
    rng = random.Random(seed)
    logs = [PodLog(f"keycloak-{i}", f"keycloak-{i}-{rng.randint(0, 65534)}") for i in range(pods_n)]
    by_node = {lg.node: lg for lg in logs}
    n_views = 0
    restarts = 0
    # 1. every pod alone
    clusters: list[tuple[str, int, list[str]]] = []
    for i, lg in enumerate(logs):
        t = i * 0.2
        lg.ev(Kind.CHANNEL_START, t)
        lg.ev(Kind.LOCAL_ADDRESS, t, subject=lg.node, node=lg.node)
        lg.ev(Kind.CREATED_CLUSTER, t + 2, node=lg.node)
        lg.ev(Kind.VIEW, t + 2, view=mkview(lg.node, 0, [lg.node], full), node=lg.node)
        n_views += 1
        clusters.append((lg.node, 0, [lg.node]))
    # 2. pairwise merges until one cluster
    t = pods_n * 0.2 + 60
    merge_rounds = 0
    while len(clusters) > 1:
        merged = []
        for k in range(0, len(clusters) - 1, 2):
            (ca, ia, ma), (cb, ib, mb) = clusters[k], clusters[k + 1]
            vid = max(ia, ib) + 1
            members = ma + mb
            v = mkview(ca, vid, members, full)
            subs = (mkview(ca, ia, ma, full), mkview(cb, ib, mb, full))
            for j, m in enumerate(members):
                by_node[m].ev(Kind.MERGED_VIEW, t + j * 0.001, view=v, subgroups=subs, node=m)
                n_views += 1
            merged.append((ca, vid, members))
        if len(clusters) % 2:
            merged.append(clusters[-1])
        clusters = merged
        merge_rounds += 1
        t += 60
    coord, vid, members = clusters[0]
    # 3. rolling restarts until the budget is spent
    order = [lg for lg in logs if lg.node != coord]
    k = 0
    while n_views < views and order:
        lg = order[k % len(order)]
        k += 1
        old = lg.node
        lg.ev(Kind.CHANNEL_STOP, t)
        members = [m for m in members if m != old]
        vid += 1
        v = mkview(coord, vid, members, full)
        for j, m in enumerate(members):
            by_node[m].ev(Kind.VIEW, t + 1 + j * 0.001, view=v, node=m)
            n_views += 1
        new = f"{lg.pod}-{rng.randint(0, 65534)}"
        while new in by_node:
            new = f"{lg.pod}-{rng.randint(0, 65534)}"
        lg.node = new
        by_node[new] = lg
        lg.ev(Kind.CHANNEL_START, t + 20)
        lg.ev(Kind.LOCAL_ADDRESS, t + 20, subject=new, node=new)
        members = members + [new]
        vid += 1
        v = mkview(coord, vid, members, full)
        for j, m in enumerate(members):
            by_node[m].ev(Kind.VIEW, t + 22 + j * 0.001, view=v, node=m)
            n_views += 1
        restarts += 1
        t += 60
    end = t + 60
    expected = {"verdict": "healed" if pods_n > 1 else "alone", "clusters": 1, "size": pods_n,
                "seen_by": pods_n, "view_id": f"[{coord}|{vid}]"}
    stats = {"pods": pods_n, "view_events": n_views, "events": sum(len(lg.events) for lg in logs),
             "merge_rounds": merge_rounds, "restarts": restarts, "expected": expected}
    return [lg.source(end) for lg in logs], stats


def check(result, expected: dict) -> dict:
    clusters = [c for ch in result.channels for c in ch.clusters]
    got = {"verdict": result.verdict.value, "clusters": len(clusters),
           "size": clusters[0].size if clusters else None,
           "seen_by": len(clusters[0].seen_by) if clusters else None,
           "view_id": clusters[0].view_id if clusters else None}
    return {"got": got, "ok": got == expected}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pods", type=int, default=500)
    ap.add_argument("--views", type=int, default=10_000, help="view events over all pods' logs (default 10000)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--full-lists", action="store_true", help="views list every member (JGroups prints 20)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args(argv)
    if a.pods < 1 or a.rounds < 1:
        ap.error("--pods and --rounds must be at least 1")
    times, builds = [], []
    verdict = None
    stats: dict = {}
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        sources, stats = build(a.pods, a.views, a.seed, a.full_lists)
        builds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        result = analyze_sources(sources, AnalyzeOptions(keep_events=True))
        times.append(time.perf_counter() - t0)
        verdict = check(result, stats["expected"])
    try:
        import resource

        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:  # pragma: no cover - not on Linux
        peak_mb = None
    med = statistics.median(times)
    res = {**stats, "rounds": a.rounds, "analyze_median_s": med, "analyze_times_s": times,
           "build_median_s": statistics.median(builds), "peak_rss_mb": peak_mb, "target_s": 2.0,
           "target_met": med <= 2.0, "check": verdict}
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"history scale: {stats['pods']} pods, {stats['view_events']} view events "
              f"({stats['events']} events; {stats['merge_rounds']} merge rounds, {stats['restarts']} restarts), "
              f"{'full' if a.full_lists else 'truncated (20)'} member lists")
        print(f"  analyze_sources: median {med:.3f} s of {a.rounds} (min {min(times):.3f}, max {max(times):.3f})"
              f"  target <= 2.0 s: {'met' if med <= 2.0 else 'NOT met'}")
        print(f"  building the events: {statistics.median(builds):.3f} s (not timed); peak RSS {peak_mb:.0f} MB")
        print(f"  answer: {verdict['got']}  expected {stats['expected']}  {'OK' if verdict['ok'] else 'MISMATCH'}")
    return 0 if verdict and verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
