"""Traffic that does not belong: R5 (two clusters share discovery or a cluster name), R6 (mixed
versions in one cluster), R10 (foreign connections on the JGroups port)."""

from __future__ import annotations

import re
from collections import defaultdict

from jgview.findings import Context, rule
from jgview.findings.r00_common import count, evidence, facts, host_of, namespace_hint, plist, spread, guarded
from jgview.identity import workload_of
from jgview.lazy import LazyPattern
from jgview.models import Event, Finding, Severity

_IP = LazyPattern(re.compile, r"/?((?:\d{1,3}\.){3}\d{1,3})(?::\d{1,5})?")


@rule("R5")
@guarded
def shared_discovery(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    evs = f.different_cluster()
    if evs:
        pairs: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for ev in evs:
            ours = str(ev.detail.get("our_cluster") or ev.channel or "?")
            theirs = str(ev.detail.get("cluster") or "?")
            pairs[(ours, theirs)].append(ev)
        for (ours, theirs), lst in pairs.items():
            pods = sorted({ev.pod for ev in lst if ev.pod})
            senders = sorted({str(ev.subject) for ev in lst if ev.subject})
            n = f.nets(pods)
            lonely = sorted({lo.pod for lo in f.lonely_among(f.group_of(pods))})
            summary = (
                f"{plist(pods)} (cluster '{ours}') received {count(len(lst), 'message')} of another cluster '{theirs}'"
                + (f" from {plist(senders, 3)}" if senders else "")
                + ": two clusters share discovery or ports"
            )
            if lonely:
                summary += f"; {plist(lonely)} created {'their own clusters' if len(lonely) > 1 else 'its own cluster'}"
            out.append(
                Finding(
                    id="R5-shared-discovery",
                    severity=Severity.WARNING,
                    title="Two clusters share discovery or a cluster name",
                    summary=summary + ".",
                    evidence=evidence(spread(lst)),
                    remediation=_separate(n.workload, n.ns) + namespace_hint(n),
                    details={"our_cluster": ours, "other_cluster": theirs, "pods": pods, "senders": senders},
                )
            )
    # foreign pods in views: one cluster group spans several applications
    for r in f.results:
        pods = f.group_pods(r)
        stems = sorted({_app(p) for p in pods})
        if len(stems) < 2:
            continue
        ev = []
        in_group = set(pods)
        for o in f.h.obs:
            if o.channel != r.analysis.channel or o.pod not in in_group:
                continue
            apps = {_app(q) for q in (f.pod_of(m) for m in o.view.members) if q}
            if apps - {_app(o.pod)}:
                ev.append(o.event)
        if not ev:
            continue
        out.append(
            Finding(
                id="R5-shared-discovery",
                severity=Severity.WARNING,
                title="Pods of different applications in one cluster",
                summary=(
                    f"Views on channel {r.analysis.channel} mix pods of {len(stems)} workloads ({plist(stems)}): "
                    "they share discovery and the same cluster name, so they joined one cluster."
                ),
                evidence=evidence(ev),
                remediation=_separate(" / ".join(stems), f.nets(pods).ns),
                details={"channel": r.analysis.channel, "workloads": stems},
            )
        )
    return out


def _app(pod: str) -> str:
    """The application of a pod: its workload without a short last token (``node-a`` and
    ``node-b`` are one application; ``keycloak`` and ``infinispan`` are two)."""
    stem = workload_of(pod)
    head, _, tail = stem.rpartition("-")
    return head if head and len(tail) <= 3 else stem


def _separate(workload: str, ns: str) -> str:
    return (
        "Give each cluster its own discovery and its own cluster name:\n"
        f"  - discovery: a headless Service per application ({workload}-discovery.{ns}.svc.cluster.local) as its"
        " dns_query, KUBE_PING labels that select only its pods, a namespace of its own, or for UDP a distinct"
        " multicast address/port (jgroups.udp.mcast_addr / jgroups.udp.mcast_port);\n"
        "  - cluster name: unique per application (Infinispan <transport cluster=\"...\">, WildFly"
        " /subsystem=jgroups/channel=ee:write-attribute(name=cluster,value=...)).\n"
        "Check: every view then lists only pods of one application."
    )


@rule("R6")
@guarded
def mixed_versions(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    evs = f.version_mismatch()
    if not evs:
        return []
    pods = sorted({ev.pod for ev in evs if ev.pod})
    versions = sorted({str(ev.detail["version"]) for ev in evs if ev.detail.get("version")})
    ours = sorted({str(ev.detail["ours"]) for ev in evs if ev.detail.get("ours")})
    peers = sorted({str(ev.subject) for ev in evs if ev.subject})
    by_ours: dict[str, set[str]] = defaultdict(set)
    theirs_of: dict[str, set[str]] = defaultdict(set)
    for ev in evs:
        if ev.detail.get("version") and ev.detail.get("ours"):
            by_ours[str(ev.detail["ours"])].add(ev.pod or "?")
            theirs_of[str(ev.detail["ours"])].add(str(ev.detail["version"]))
    if by_ours:
        parts = [
            f"{plist(sorted(by_ours[o]), 3)} (JGroups {o}) discarded packets of {plist(sorted(theirs_of[o]), 3)}"
            for o in sorted(by_ours)
        ]
        what = "; ".join(parts)
    else:
        if versions:
            what = f"{plist(pods)} received messages of protocol version {plist(versions, 3)} they cannot read"
        else:
            reasons = sorted({str(ev.detail.get("reason") or "").strip(" :().")[:60] for ev in evs} - {""})
            what = f"{plist(pods)} received messages they cannot read" + (f" ({plist(reasons, 2)})" if reasons else "")
    summary = (
        what + (f" (from {plist(peers, 3)})" if peers else "")
        + ": old and new releases are talking to each other (a rolling upgrade across versions, or two products"
        " on one port or multicast group)."
    )
    n = f.nets(pods)
    return [
        Finding(
            id="R6-mixed-versions",
            severity=Severity.WARNING,
            title="Mixed versions in one cluster",
            summary=summary,
            evidence=evidence(spread(evs)),
            remediation=(
                "Do not let two releases cluster: for a version change use the Recreate strategy (Deployment)\n\n"
                "spec:\n  strategy:\n    type: Recreate\n\n"
                f"or scale to 0 first (kubectl scale statefulset/{n.workload} --replicas=0 -n {n.ns}, then upgrade"
                " and scale up). For blue/green, give each colour its own cluster name and its own discovery"
                " (dns_query / KUBE_PING labels)."
            ),
            details={"pods": pods, "versions": versions, "ours": ours, "peers": peers},
        )
    ]


@rule("R10")
@guarded
def foreign_traffic(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    from jgview.models import Kind

    evs = f.events([Kind.ACCEPT_FAILED])
    if not evs:
        return []
    cookie = [ev for ev in evs if "cookie" in ev.text.lower() or "does not match" in ev.text.lower()]
    if not cookie and len(evs) < 3:
        return []
    pods = sorted({ev.pod for ev in evs if ev.pod})
    peers: list[str] = []
    for ev in evs:
        m = _IP.search(str(ev.subject or "") + " " + str(ev.detail.get("reason") or "") + " " + ev.text)
        if m and m.group(1) not in peers:
            peers.append(m.group(1))
    member_ips = f.pod_ips()
    foreign = [p for p in peers if p not in member_ips]
    n = f.nets(pods)
    summary = (
        f"JGroups on {plist(pods)} rejected {count(len(evs), 'connection')} on its port {n.port}"
        + (f" from {plist(peers, 3)}" if peers else "")
        + (" (cookie does not match)" if cookie else "")
        + ": something that is not a member of this cluster connects to the JGroups port — a probe or a"
        " load-balanced Service"
    )
    if peers and not foreign:
        summary += " (or a member of another release: those addresses belong to pods in these logs)"
    summary += "."
    return [
        Finding(
            id="R10-foreign-traffic",
            severity=Severity.WARNING,
            title="Foreign traffic on the JGroups port",
            summary=summary,
            evidence=evidence(spread(cookie) + [e for e in evs if e not in cookie]),
            remediation=(
                f"Keep the JGroups ports ({n.port}, and {n.port + 50000} for FD_SOCK2) out of load-balanced Services"
                " and probes:\n"
                f"  - kubectl get svc -n {n.ns} -o wide: no Service with a ClusterIP/LoadBalancer/NodePort may expose"
                f" {n.port}; only the headless discovery Service may name it;\n"
                f"  - probes must use HTTP on the application's health endpoint (Keycloak ≥25: /health/ready on the"
                f" management port 9000), never tcpSocket on {n.port}."
                + (f"\nThe peers' IPs ({plist(foreign, 3)}) are no pod of these logs: kubectl get pods,svc -A -o wide"
                   " | grep <ip> finds who they are." if foreign else "")
            ),
            details={"pods": pods, "peers": peers, "count": len(evs), "hosts": [host_of(p) for p in peers]},
        )
    ]
