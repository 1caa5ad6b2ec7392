"""Membership over time: R11 (network partition, then merge), R12 (rolling update churn) and
R14 (restart / OOM churn)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from jgview.findings import Context, rule
from jgview.findings.r00_common import (
    guarded,
    INF,
    SPLIT_CATEGORIES,
    Facts,
    clock_t,
    count,
    debug_advice,
    evidence,
    facts,
    plist,
)
from jgview.identity import bare_all
from jgview.models import Event, Evidence, Finding, Kind, Severity, Verdict


def _dur(t0: float, t1: float) -> str:
    if t0 in (INF, -INF) or t1 in (INF, -INF):
        return ""
    d = int(round(t1 - t0))
    if d < 120:
        return f"{d} s"
    if d < 7200:
        return f"{d // 60} min"
    return f"{d / 3600:.1f} h"


SIDE_TOLERANCE = 5.0
"""Seconds: a side whose pods all stop (or restart) within this time after the split starts was a
member leaving, not a partition."""


def is_partition(f: Facts, r: Any, iv: Any) -> bool:
    """A split of pods that were together before it started, on two or more sides that stayed
    live: not pods that created their own clusters (R1/R2) and not a member on its way out."""
    t0, t1 = f.interval_keys(iv)
    lonely = f.lonely_in_interval(r, t0, t1)
    sides = []
    for g in iv.groups:
        if set(g) & lonely:
            continue
        live = [p for p in g if _inc_at(f, p, t0) is not None and f.inc_end(p, _inc_at(f, p, t0), r) > t0 + SIDE_TOLERANCE]
        if live:
            sides.append(live)
    if len(sides) < 2:
        return False
    for i, a in enumerate(sides):
        for b in sides[i + 1 :]:
            if any(_were_together(f, r, p, q, t0) for p in a for q in b):
                return True
    return False


def _inc_at(f: Facts, pod: str, t: float) -> int | None:
    ph = f.h.pods.get(pod)
    if ph is None or not ph.incs:
        return None
    best = 0
    for idx, inc in enumerate(ph.incs):
        if inc.start_t is not None and inc.start_t <= t + 1.0:
            best = idx
    return best


def _were_together(f: Facts, r: Any, p: str, q: str, t0: float) -> bool:
    """Did the incarnations of p and q that were current at t0 share a view before t0?"""
    ip, iq = _inc_at(f, p, t0), _inc_at(f, q, t0)
    names = {}
    for pod, idx in ((p, ip), (q, iq)):
        ph = f.h.pods.get(pod)
        names[pod] = ph.incs[idx].name if ph is not None and idx is not None and idx < len(ph.incs) else None
    ch = r.analysis.channel
    for o in f.h.obs:
        if o.channel != ch or f.ot(o) > t0 + 1.0 or len(o.view.members) < 2:
            continue
        if (o.pod == p and o.inc != ip) or (o.pod == q and o.inc != iq):
            continue
        members = set(bare_all(o.view.members))
        has = []
        for pod in (p, q):
            n = names[pod]
            has.append(n in members if n else f.contains(o.view, pod))
        if all(has):
            return True
    return False


def merge_is_startup(f: Facts, r: Any, iv: Any) -> bool:
    """A merge of pods that started alone (R2), not of a partition: at most one side holds no pod
    that sat alone until a merge ending with this one."""
    t0, t1 = f.interval_keys(iv)
    groups = [{f.pod_of(m) or m for m in g} for g in iv.groups]
    lonely = [any(f.alone_until_merge_near(r, p, t1) for p in g) for g in groups]
    return any(lonely) and lonely.count(False) <= 1


def _ev_key(f: Facts, e: Evidence) -> float:
    if e.time is not None and not f.h.relative_time:
        return e.time.timestamp()
    for ev in f.by_pod.get(e.pod or "?", []):
        if ev.source == e.source and ev.lineno == e.line:
            return f.t(ev)
    return INF


@rule("R11")
@guarded
def partition(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    for r in f.results:
        ch = r.analysis.channel
        pods = f.group_pods(r)
        parts = [iv for iv in r.analysis.splits if is_partition(f, r, iv)]
        merges = [m for m in r.analysis.merges if not merge_is_startup(f, r, m)]
        degraded = list(r.degraded_open)
        lost = f.events([Kind.LOST_MEMBERS, Kind.RECOVERY_FAILED], pods)
        avail = [e for e in f.events([Kind.AVAILABILITY], pods) if str(e.detail.get("mode", "")).upper().startswith("DEGRADED")]
        if not parts and not merges and not degraded:
            continue
        open_parts = [iv for iv in parts if iv.end is None and not iv.end_text]
        still_split = r.analysis.verdict is Verdict.SPLIT and (open_parts or degraded)
        bits: list[str] = []
        ev: list[Event | Evidence] = []
        for iv in parts[:3]:
            t0, t1 = f.interval_keys(iv)
            sides = " | ".join(plist(sorted(g), 3) for g in iv.groups[:3])
            if t1 == INF:
                bits.append(f"split into {len(iv.groups)} sides ({sides}) since {clock_t(f, t0)}, still apart {f.at_end}")
            else:
                d = _dur(t0, t1)
                bits.append(f"split into {len(iv.groups)} sides ({sides}) from {clock_t(f, t0)} to {clock_t(f, t1)}" + (f" ({d})" if d else ""))
            fresh = [e for e in iv.evidence if t0 == -INF or _ev_key(f, e) >= t0 - 1.0]
            ev.extend((fresh or iv.evidence)[:3])
        for m in merges[:2]:
            _t0, t1 = f.interval_keys(m)
            bits.append(f"merged back by {m.view_id or 'a MergeView'} at {clock_t(f, t1)} ({len(m.groups)} subgroups)")
            ev.extend(m.evidence[:1])
        ispn = []
        if lost:
            ispn.append("ISPN000314/318 lost at least half of the stable members (possible split brain)")
        if avail:
            ispn.append("caches entered DEGRADED_MODE")
        if degraded:
            ispn.append("not cleared by a later view, merge or recovery")
        ev.extend(lost[:2] + avail[:1])
        recovered = f.events([Kind.RECOVERED], pods)
        if recovered and not degraded:
            ispn.append("recovered afterwards (ISPN100007)")
            ev.extend(recovered[:1])
        if not bits and degraded:
            bits.append(f"Infinispan on {plist(sorted({e.pod for e in degraded if e.pod}))} reported lost members")
        summary = f"Network partition on channel {ch}: " + "; ".join(bits)
        if ispn:
            summary += " — " + ", ".join(ispn)
        summary += "."
        remediation = (
            "- Check that MERGE3 is in the JGroups stack (it heals partitions) and the caches' partition-handling"
            " policy (when-split / merge-policy).\n"
            "- If caches stay in DEGRADED_MODE, set availability by hand once the network is back:\n"
            "    Infinispan CLI: availability --mode=AVAILABLE <cache>\n"
            "    WildFly/EAP: /subsystem=infinispan/cache-container=<container>/distributed-cache=<cache>/"
            "component=partition-handling:force-available\n"
            "- Look for pods stuck not-ready on the losing side: kubectl get pods -o wide (READY 0/1), and for node"
            " or network events at the split time.\n"
            "- Expect stale local caches after a heal (users may have to log in again); restart the minority side"
            " if entries stay inconsistent."
        )
        if not f.debug_seen(pods):
            remediation += "\n- To see who suspected whom next time: " + debug_advice(SPLIT_CATEGORIES)
        out.append(
            Finding(
                id="R11-partition",
                severity=Severity.ERROR if still_split else Severity.WARNING,
                title="Network partition" + (", still split" if still_split else ", then merge"),
                summary=summary,
                evidence=evidence(ev),
                remediation=remediation,
                details={
                    "channel": ch,
                    "splits": [sorted(map(sorted, iv.groups)) for iv in parts],
                    "merges": [m.view_id for m in merges],
                    "degraded_open": bool(degraded),
                },
            )
        )
    return out


@rule("R12")
@guarded
def rolling_churn(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    # harmful: data lost, or members left while a rebalance was running
    lost = f.events([Kind.DATA_LOST])
    interrupted: list[tuple[Event, Event]] = []
    for pod, evs in f.by_pod.items():
        open_: dict[str, Event] = {}
        for ev in sorted(evs, key=f.t):
            what = ev.detail.get("event")
            cache = str(ev.detail.get("cache") or "")
            if ev.kind is Kind.TOPOLOGY and what == "rebalance_start" and (ev.members or ev.detail.get("members")):
                open_[cache] = ev
            elif ev.kind is Kind.TOPOLOGY and what == "rebalance_finished":
                open_.pop(cache, None)
            elif ev.kind is Kind.NODE_LEFT and open_:
                start = next(iter(open_.values()))
                interrupted.append((start, ev))
                open_.clear()
    if lost or interrupted:
        pods = sorted({e.pod for e in lost if e.pod} | {b.pod for _a, b in interrupted if b.pod})
        leavers = sorted({str(m) for e in lost for m in (e.lost or ())} | {str(b.subject) for _a, b in interrupted if b.subject})
        bits = []
        if interrupted:
            caches = sorted({str(a.detail.get("cache") or "?") for a, _b in interrupted})
            bits.append(
                f"{count(len(interrupted), 'member')} left while a rebalance was running"
                f" (ISPN100002 without ISPN100010, cache {plist(caches, 3)})"
            )
        if lost:
            ids = sorted({m.group(0) for e in lost for m in [re.search(r"ISPN0003\d\d", e.text)] if m})
            bits.append(f"Infinispan lost data ({plist(ids, 4) or 'ISPN000312/313'})")
        summary = (
            f"Members left before the cluster finished moving data: {'; '.join(bits)}"
            + (f"; leavers {plist(leavers, 3)}" if leavers else "")
            + f" (seen on {plist(pods, 3)})."
        )
        ev: list[Event] = lost[:3]
        for a, b in interrupted[:2]:
            ev += [a, b]
        out.append(
            Finding(
                id="R12-rolling-churn",
                severity=Severity.WARNING,
                title="Rolling update churn: members left before a rebalance finished",
                summary=summary,
                evidence=evidence(ev),
                remediation=(
                    "Restart one pod at a time and wait for the rebalance to finish (ISPN100010) before the next:\n"
                    "  - StatefulSet with podManagementPolicy: OrderedReady (or a Deployment with maxUnavailable: 0,"
                    " maxSurge: 1), and a readiness probe that turns Ready only after the caches joined;\n"
                    "  - graceful shutdown: terminationGracePeriodSeconds long enough for the caches to hand over"
                    " (e.g. 60), no SIGKILL by the kubelet;\n"
                    "  - keep sessions in the database (Keycloak ≥25 persistent user sessions) so a lost owner"
                    " does not log users out."
                ),
                details={"pods": pods, "leavers": leavers},
            )
        )
    # benign: a rolling restart that re-converged (info only)
    for r in f.results:
        if r.analysis.verdict not in (Verdict.HEALTHY, Verdict.HEALED) or len(r.analysis.clusters) != 1:
            continue
        if any(is_partition(f, r, iv) for iv in r.analysis.splits) or r.analysis.merges:
            continue
        restarted = []
        for p in f.group_pods(r):
            ph = f.h.pods.get(p)
            if ph and len(ph.incs) >= 2 and all(inc.stopped for inc in ph.incs[:-1]):
                restarted.append(p)
        if not restarted or not r.analysis.clusters:
            continue
        cl = r.analysis.clusters[0]
        stops = f.events([Kind.CHANNEL_STOP], restarted)
        out.append(
            Finding(
                id="R12-rolling-restart",
                severity=Severity.INFO,
                title="Rolling restart that re-converged",
                summary=(
                    f"Rolling restart on channel {r.analysis.channel}: {count(len(restarted), 'pod')} ({plist(restarted)})"
                    f" left gracefully and rejoined; the cluster re-converged to {count(cl.size, 'member')} ({cl.view_id})."
                ),
                evidence=evidence(stops[:3]),
                details={"channel": r.analysis.channel, "pods": restarted},
            )
        )
    return out


@rule("R14")
@guarded
def restart_churn(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    crashed: dict[str, list[int]] = defaultdict(list)
    many: list[str] = []
    for p, ph in f.h.pods.items():
        runs = [i for i, inc in enumerate(ph.incs) if inc.has_views or inc.channels or inc.created]
        real = 0
        for a, b in zip(runs, runs[1:]):
            cur, nxt = ph.incs[a], ph.incs[b]
            # a new container run: another log (--previous), or another JGroups name; WildFly logs
            # ISPN000078 once per cache container, which is not a restart
            new_run = cur.source != nxt.source or bool(cur.name and nxt.name and cur.name != nxt.name)
            if not new_run and not cur.stopped:
                continue
            real += 1
            if not cur.stopped:
                crashed[p].append(a)
        if real >= 3:
            many.append(p)
    oom: dict[str, str] = {}
    restarts: dict[str, int] = {}
    for po in f.pod_objects():
        name = str((po.get("metadata") or {}).get("name"))
        for cs in ((po.get("status") or {}).get("containerStatuses") or []):
            if not isinstance(cs, dict):
                continue
            rc = cs.get("restartCount")
            if isinstance(rc, int) and rc > 0:
                restarts[name] = max(restarts.get(name, 0), rc)
            term = ((cs.get("lastState") or {}).get("terminated") or {}) if isinstance(cs.get("lastState"), dict) else {}
            if isinstance(term, dict) and term.get("reason") in ("OOMKilled", "Error"):
                oom[name] = str(term["reason"])
    # objects alone (OOMKilled, restartCount) are jgview.objects' finding; here they only add to
    # what the logs show
    pods = sorted(set(crashed) | set(many))
    if not pods:
        return []
    bits = []
    ev: list[Event] = []
    for p in pods[:4]:
        ph = f.h.pods.get(p)
        names = [inc.name for inc in (ph.incs if ph else []) if inc.name]
        d = p
        if crashed.get(p):
            d += f" ended {count(len(crashed[p]), 'run')} without a clean shutdown (no ISPN000080 Disconnecting)"
        elif p in many:
            d += " restarted 3 or more times"
        if len(names) >= 2:
            d += f", JGroups names {' → '.join(names[:4])}"
        if p in oom:
            d += f", last termination {oom[p]}"
        if p in restarts:
            d += f", restartCount {restarts[p]}"
        bits.append(d)
        if ph:
            for idx in crashed.get(p, [])[:2]:
                last = [e for e in ph.events if f.t(e) <= (ph.incs[idx].end_t if ph.incs[idx].end_t is not None else INF)]
                if last:
                    ev.append(last[-1])
                nxt = ph.incs[idx + 1] if idx + 1 < len(ph.incs) else None
                first_next = [e for e in ph.events if nxt is not None and nxt.first_line == e.lineno and e.source == nxt.source]
                ev.extend(first_next[:1])
    missing_prev = [p for p in restarts if p in f.h.pods and not any(s.previous for s in f.h.sources if p in (s.pods or [s.pod_hint]))]
    summary = "Restart churn: " + "; ".join(bits) + "."
    remediation = (
        "- OOMKilled: raise the container memory limit or lower the heap so heap + metaspace + threads fit under"
        " it (e.g. -XX:MaxRAMPercentage=70 in JAVA_OPTS_APPEND).\n"
        "- Killed by the liveness probe: give startup a startupProbe, raise the liveness timeoutSeconds /"
        " failureThreshold.\n"
        "- Always read the run that died: kubectl logs <pod> --previous (jgview collect fetches it), and"
        " kubectl describe pod <pod> for lastState.terminated.reason."
    )
    if missing_prev:
        summary = summary[:-1] + f"; no --previous log was given for {plist(missing_prev, 3)}."
    return [
        Finding(
            id="R14-restart-churn",
            severity=Severity.WARNING,
            title="Restart / OOM churn",
            summary=summary,
            evidence=evidence(ev),
            remediation=remediation,
            details={"pods": pods, "crashed_runs": {p: len(v) for p, v in crashed.items()}, "oom": oom,
                     "restart_count": restarts},
        )
    ]

