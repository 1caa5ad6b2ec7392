"""Evidence advice: when the logs cannot decide, say what to collect.

``evidence-starts-late`` (the first views are missing), ``evidence-tail-10`` (cut to kubectl's
default 10 lines), ``evidence-no-dates`` (time-only logs), ``evidence-no-debug`` (no DEBUG detail
where it would tell causes apart). Warnings only where the gap leaves the verdict open (``split``
or ``unknown``); otherwise information.
"""

from __future__ import annotations

from jgview.findings import Context, rule
from jgview.findings.r00_common import SPLIT_CATEGORIES, count, debug_advice, evidence, facts, plist, guarded
from jgview.findings.r11_partition import merge_is_startup, is_partition
from jgview.models import Event, Finding, Kind, Severity, Verdict

_BOOT_KINDS = {
    Kind.CHANNEL_START,
    Kind.LOCAL_ADDRESS,
    Kind.CREATED_CLUSTER,
    Kind.SINGLETON,
    Kind.JOIN_TIMEOUT,
    Kind.NODE_NAME,
    Kind.DNS_ENTRIES,
    Kind.DISCOVERY_TARGETS,
    Kind.DISCOVERY_ERROR,
    Kind.CHANNEL_ERROR,
}


def _sev(ctx: Context) -> Severity:
    return Severity.WARNING if ctx.analysis.verdict in (Verdict.SPLIT, Verdict.UNKNOWN) else Severity.INFO


@rule("evidence-starts-late")
@guarded
def starts_late(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    late: list[tuple[str, Event]] = []
    first_obs: dict[str, object] = {}
    for o in f.h.obs:
        if o.pod not in first_obs or f.ot(o) < f.ot(first_obs[o.pod]):  # type: ignore[arg-type]
            first_obs[o.pod] = o
    for p, o in first_obs.items():
        if o.kind not in ("view", "merged", "dropped") or o.view.id == 0:  # type: ignore[attr-defined]
            continue
        ev = o.event  # type: ignore[attr-defined]
        before = [
            e
            for e in f.by_pod.get(p, [])
            if e.source == ev.source and e.lineno <= ev.lineno and e.kind in _BOOT_KINDS
        ]
        if not before:
            late.append((p, ev))
    if not late:
        return []
    pods = [p for p, _e in late]
    return [
        Finding(
            id="evidence-starts-late",
            severity=_sev(ctx),
            title="Logs start after boot",
            summary=(
                f"The logs of {count(len(pods), 'pod')} ({plist(pods)}) start after boot: the first view shown is"
                f" {late[0][1].view.view_id if late[0][1].view else 'a later view'}, with no channel start or"
                " discovery line before it, so how the pods found each other (or failed to) is not in the evidence."
            ),
            evidence=evidence([e for _p, e in late]),
            remediation=(
                "Collect each pod's whole log, and the previous container's after a restart:\n"
                "  kubectl logs <pod> --tail=-1 --timestamps\n"
                "  kubectl logs <pod> --previous --tail=-1 --timestamps\n"
                "or jgview collect -l <selector> -n <namespace>, which fetches both. Boot lines lost to log rotation"
                " come back only by restarting the pod while collecting."
            ),
            details={"pods": pods},
        )
    ]


@rule("evidence-tail-10")
@guarded
def tail_10(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    cut = []
    for s in f.h.sources:
        n_pods = max(1, len(s.pods))
        if s.lines and s.lines == 10 * n_pods:
            cut.append(s)
    if not cut:
        return []
    names = [s.name for s in cut]
    return [
        Finding(
            id="evidence-tail-10",
            severity=_sev(ctx),
            title="Logs cut to kubectl's default 10 lines",
            summary=(
                f"{count(len(cut), 'input')} ({plist(names, 3)}) {'holds' if len(cut) == 1 else 'hold'} exactly 10 lines"
                " per pod — what"
                " `kubectl logs -l <selector>` returns by default: almost all membership evidence is missing."
            ),
            evidence=[],
            remediation=(
                "Ask for all lines: kubectl logs -l <selector> --prefix --timestamps --tail=-1 (with -l kubectl"
                " defaults to --tail=10), or jgview collect -l <selector> -n <namespace>."
            ),
            details={"sources": names},
        )
    ]


@rule("evidence-no-dates")
@guarded
def no_dates(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    srcs = [s.name for s in f.h.sources if s.time_only]
    if not srcs and f.h.relative_time:
        srcs = sorted({e.source for e in f.h.events if e.time is None and e.time_of_day})
    if not srcs:
        return []
    sample = [e for e in f.h.events if e.time is None and e.time_of_day][:2]
    return [
        Finding(
            id="evidence-no-dates",
            severity=Severity.INFO,
            title="Times without dates",
            summary=(
                f"{count(len(srcs), 'input')} ({plist(srcs, 3)}) {'prints' if len(srcs) == 1 else 'print'} times of day"
                " without dates (WildFly/EAP"
                " console layout): times across pods were compared by time of day, and views ordered by lineage."
            ),
            evidence=evidence(sample),
            remediation=(
                "Collect with kubectl's timestamps (kubectl logs <pod> --timestamps), or tell jgview the date:"
                " jgview --date YYYY-MM-DD <files>."
            ),
            details={"sources": srcs},
        )
    ]


@rule("evidence-no-debug")
@guarded
def no_debug(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    if f.debug_seen():
        return []
    cats: list[str] = []
    why: list[str] = []
    lonely = f.lonely()
    if lonely:
        pods = {lo.pod for lo in lonely}
        protos = f.protocols(pods)
        if "KUBE_PING" in protos:
            cats.append("org.jgroups.protocols.kubernetes.KUBE_PING")
        if "DNS_PING" in protos or not protos:
            cats.append("org.jgroups.protocols.dns.DNS_PING")
        cats.append("org.jgroups.protocols.pbcast.GMS")
        why.append("which addresses discovery found")
    partitions = any(
        any(is_partition(f, r, iv) for iv in r.analysis.splits) or r.degraded_open
        or any(not merge_is_startup(f, r, m) for m in r.analysis.merges)
        for r in f.results
    )
    if partitions or f.events([Kind.JOIN_TIMEOUT]):
        cats.extend(SPLIT_CATEGORIES)
        why.append("who suspected whom and how the merge ran")
    if not cats:
        return []
    return [
        Finding(
            id="evidence-no-debug",
            severity=Severity.INFO,
            title="No DEBUG detail",
            summary=(
                "The logs have no DEBUG lines, so " + " and ".join(why)
                + " cannot be seen (suspicion, merge and discovery detail is logged at DEBUG only)."
            ),
            remediation=debug_advice(cats),
            details={"categories": list(dict.fromkeys(cats))},
        )
    ]
