"""R1 (DNS_PING asks a normal ClusterIP Service — the seed's case) and R2 (starting pods missing
from DNS, merged later).

Both start from the "lonely" signature of :mod:`r00_common`: a pod that created its own cluster
as coordinator and sat alone in it while other pods of its cluster group were live in views that
did not list it. When the logs show a more specific cause (KUBE_PING 403, JOIN timeouts, a
loopback bind address, a channel error, a foreign cluster or version), the rule of that cause
reports the signature and R1/R2 stay silent.
"""

from __future__ import annotations

from typing import Any

from jgview.findings import Context, rule
from jgview.findings.r00_common import (
    guarded,
    INF,
    Facts,
    Lonely,
    clock,
    clock_t,
    count,
    debug_advice,
    dns_query_env,
    evidence,
    facts,
    headless_service_yaml,
    namespace_hint,
    plist,
    spread,
)
from jgview.models import Event, Evidence, Finding, Kind, Severity


def _by_result(lons: list[Lonely]) -> list[tuple[Any, list[Lonely]]]:
    groups: dict[int, tuple[Any, list[Lonely]]] = {}
    for lo in lons:
        groups.setdefault(id(lo.result), (lo.result, []))[1].append(lo)
    return list(groups.values())


def _others_view(f: Facts, r: Any, lonely_pods: set[str]) -> str:
    """The other side(s) at the end, e.g. ``a, b in [a|3]``."""
    parts = []
    for c in r.analysis.clusters:
        if set(c.seen_by) & lonely_pods:
            continue
        parts.append(f"{plist(c.seen_by, 3)} in {c.view_id}")
    return "; ".join(parts[:2])


def _alternatives(f: Facts, pods: set[str], n: Any) -> str:
    sa = n.service_account or "<serviceaccount>"
    ns = n.ns
    lines = [
        "Same signature, other causes — the evidence that tells them apart:",
        "  - KUBE_PING without RBAC: a WARN `failed getting JSON response from Kubernetes ... HTTP response code: 403`"
        " (logged once per failure streak, so read each log from its start: kubectl logs --tail=-1)."
        f" Check: kubectl auth can-i list pods -n {ns} --as=system:serviceaccount:{ns}:{sa}",
        f"  - Port {n.port} blocked (NetworkPolicy, firewall): discovery works, so the logs name JOIN targets"
        " (`JOIN(x) sent to y timed out`, `too many JOIN attempts`) or show `ConnectException`."
        f" Check: kubectl get networkpolicy -n {ns}",
        f"  - A service mesh (Istio sidecar) intercepting {n.port}: the same lines as a blocked port; the pods have an"
        f" istio-proxy container (kubectl get pod {n.example_pod} -o jsonpath='{{.spec.containers[*].name}}').",
        "  - This case (DNS_PING on a ClusterIP Service): with org.jgroups.protocols.dns.DNS_PING at DEBUG,"
        " `entries collected from DNS` lists one IP that is no pod's; the Service named by dns_query has"
        f" clusterIP ≠ None (kubectl get svc -n {ns} -o custom-columns=NAME:.metadata.name,CLUSTER-IP:.spec.clusterIP).",
    ]
    live, _stale, _single = f.join_problems(pods)
    seen = []
    if not live and not f.send_failures(pods):
        seen.append("no JOIN timeouts or connection failures")
    if not f.kube_ping_errors(pods):
        seen.append("no KUBE_PING errors")
    dv, _ = f.dns_verdict(pods)
    if dv == "vip":
        seen.append("DNS_PING's DEBUG lines list one address that is no pod's — this case is confirmed")
    elif dv == "empty":
        seen.append("DNS_PING's DEBUG lines show no DNS entries at all: dns_query names no Service with endpoints")
    elif not f.debug_seen(pods):
        seen.append("no DEBUG lines that would confirm it")
    if seen:
        lines.append("These logs show " + "; ".join(seen) + ".")
    return "\n".join(lines)


def _query_note(f: Facts, pods: set[str]) -> tuple[str, list[Event | Evidence]]:
    """What DNS_PING asks (pod env or the image's start line) and, from the objects, whether that
    Service is headless: a parenthesis for the summary and evidence lines."""
    q = f.dns_query(pods)
    if not q:
        return "", []
    ev: list[Event | Evidence] = [
        e for e in f.events([Kind.DISCOVERY_TARGETS], pods) if q in str(e.detail.get("properties") or "")
    ][:1]
    svc_name = q.split(".")[0]
    svc = f.service(svc_name)
    ip = (svc.get("spec") or {}).get("clusterIP") if svc else None
    if ip and str(ip) != "None":
        src = (f.objects.get("sources") or {}).get("services", "services")
        ev.append(Evidence(source=str(src), line=0, text=f"Service {svc_name}: clusterIP {ip} (dns_query={q})"))
        return f" (dns_query `{q}`: Service {svc_name} has clusterIP {ip}, not None)", ev
    if svc:
        return f" (dns_query `{q}`; Service {svc_name} is headless)", ev
    return f" (dns_query `{q}`)", ev


@rule("R1")
@guarded
def dns_ping_clusterip(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    for r, lons in _by_result(f.lonely()):
        pods = {lo.pod for lo in lons}.union(*(lo.others for lo in lons))
        causes = f.causes(pods)
        dv, dns_ev = f.dns_verdict(pods)
        if causes and dv != "vip":
            continue  # the rule of that cause reports this signature
        open_ = [lo for lo in lons if lo.how == "open"]
        healed = [lo for lo in lons if lo.how in ("joined", "restart", "stopped")]
        use = open_ or healed
        if not use:
            continue  # merged later: R2
        use.sort(key=lambda lo: lo.start)
        lonely_pods = [lo.pod for lo in use]
        others = sorted(set().union(*(lo.others for lo in use)) - set(lonely_pods))
        n = f.nets(pods)
        if len(use) >= 2:
            summary = (
                f"{len(use)} pods ({plist(lonely_pods)}) each created their own cluster as coordinator; "
                "discovery found no members"
            )
        else:
            lo = use[0]
            summary = (
                f"{lo.pod} created its own cluster as coordinator at {clock(lo.created)} while "
                f"{plist(others, 3)} {'was' if len(others) == 1 else 'were'} running; discovery found no members"
            )
        if dv == "vip":
            summary += " (DNS_PING's DNS answer is one address that is no pod's: a ClusterIP Service)"
        elif dv == "empty":
            summary += " (DNS_PING got no DNS entries for its dns_query)"
        if open_:
            side = _others_view(f, r, set(lonely_pods)) if len(use) < 2 else ""
            summary += f", and they are still apart {f.at_end}" if len(use) >= 2 else ""
            if side:
                summary += f" ({side})"
            sev = Severity.ERROR
        else:
            ends = [lo.end for lo in use if lo.end != INF]
            when = clock_t(f, max(ends)) if ends else "?"
            how = "a restart" if any(lo.how in ("restart", "stopped") for lo in use) else "a rejoin"
            summary += f"; the split ended at {when} with {how}"
            sev = Severity.WARNING
        query_note, q_ev = _query_note(f, pods)
        summary += query_note + "."
        ev: list[Event | Evidence] = [lo.created for lo in use]
        ev += q_ev
        ev += dns_ev[:2]
        ev += [lo.obs.event for lo in use if lo.obs.event is not lo.created]
        ev += [lo.end_event for lo in use if lo.end_event is not None]
        protos = f.protocols(pods)
        if any("compose" in (src.envelopes or []) for src in f.h.sources) and dv != "vip":
            out.append(_compose_no_members(r, summary.rstrip(".") + ".", sev, ev, lonely_pods, others, bool(open_), f.dns_query(pods)))
            continue
        if "JDBC_PING" in protos and "DNS_PING" not in protos and dv not in ("vip", "empty"):
            out.append(_jdbc_no_members(r, summary.replace("discovery found no members",
                                                           "discovery (JDBC_PING) found no members").rstrip(".") + ".",
                                        sev, ev, lonely_pods, others, bool(open_)))
            continue
        svc = f"{n.workload}-discovery"
        current = (f.dns_query(pods) or "").split(".")[0]
        if current == svc and dv != "empty":
            first = (
                f"The pods already ask {svc}, but it is not headless; clusterIP cannot be changed in place, so"
                f" recreate it (kubectl delete svc {svc} -n {n.ns}, then apply):\n\n"
            )
        else:
            first = "Create a separate headless discovery Service (do not make the load-balanced Service headless):\n\n"
        remediation = (
            first
            + headless_service_yaml(n, svc)
            + f"\nPoint DNS_PING's dns_query at it, in the pod template of {n.workload}:\n\n"
            + dns_query_env(f, n, svc)
            + f"\nThen restart the pods and check: kubectl get endpoints {svc} -n {n.ns} lists every pod IP, and each"
            " new pod logs a cluster view with all members instead of `creating cluster as coordinator`.\n"
            + (
                "(Keycloak ≥26 defaults to the jdbc-ping stack, which needs no Service; the kubernetes stack is"
                " deprecated since 26.4: --cache-stack=jdbc-ping is an alternative.)"
                if f.product != "wildfly" else ""
            )
            + namespace_hint(n)
            + "\n\n"
            + _alternatives(f, pods, n)
        )
        if dv not in ("vip", "empty") and not f.debug_seen(pods):
            remediation += "\nTo confirm: " + debug_advice(
                ["org.jgroups.protocols.dns.DNS_PING", "org.jgroups.protocols.pbcast.GMS"], f.product
            )
        out.append(
            Finding(
                id="R1-dns-ping-clusterip",
                severity=sev,
                title="Pods create their own clusters: discovery finds no members (DNS_PING on a ClusterIP Service)",
                summary=summary,
                evidence=evidence(ev),
                remediation=remediation,
                details={
                    "channel": r.analysis.channel,
                    "lonely_pods": lonely_pods,
                    "other_pods": others,
                    "open": bool(open_),
                    "dns": dv,
                    "namespace": n.namespace,
                    "labels": n.labels,
                },
            )
        )
    return out


@rule("R2")
@guarded
def dns_not_ready(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    for r, lons in _by_result(f.lonely()):
        merged = sorted((lo for lo in lons if lo.how == "merge"), key=lambda lo: lo.start)
        if not merged:
            continue
        pods = {lo.pod for lo in merged}.union(*(lo.others for lo in merged))
        causes = f.causes(pods)
        if causes:
            continue
        lonely_pods = [lo.pod for lo in merged]
        others = sorted(pods - set(lonely_pods))
        merge_ev = [lo.end_event for lo in merged if lo.end_event is not None]
        durations = [lo.end - lo.start for lo in merged if lo.end != INF and lo.start != -INF]
        dur = f"{int(max(durations))} s" if durations else "some time"
        n = f.nets(pods)
        view_id = None
        for lo in merged:
            if lo.end_event is not None and lo.end_event.view is not None:
                view_id = lo.end_event.view.view_id
        subject = (
            f"{count(len(merged), 'pod')} ({plist(lonely_pods)}) each created their own cluster at startup"
            if len(merged) >= 2
            else f"{lonely_pods[0]} created its own cluster at startup"
        )
        running = f" while {plist(others, 3)} {'was' if len(others) == 1 else 'were'} running" if others else ""
        summary = (
            f"{subject}{running}, "
            f"and {'were' if len(merged) >= 2 else 'was'} merged back {dur} later"
            + (f" (MERGED view {view_id})" if view_id else "")
            + ": starting pods were missing from discovery (DNS lists only Ready pods)."
        )
        no_phys = [
            ev
            for ev in f.events([Kind.NO_PHYSICAL_ADDRESS], pods)
            if any(lo.start - 5 <= f.t(ev) <= lo.end for lo in merged)
        ]
        empty = [e for e in f.dns_entries(pods) if not e.detail.get("entries")][:1]
        ev: list[Event] = [lo.created for lo in merged] + empty + merge_ev[:1] + spread(no_phys)[:2]
        svc = f"{n.workload}-discovery"
        remediation = (
            "Let DNS list pods before they are Ready: on the headless discovery Service set\n"
            "  publishNotReadyAddresses: true\n"
            f"e.g. kubectl patch svc {svc} -n {n.ns} -p '{{\"spec\":{{\"publishNotReadyAddresses\":true}}}}'\n"
            "(use the name of your discovery Service; a Service that does not exist yet:)\n\n"
            + headless_service_yaml(n, svc)
            + "\nAnd lower the JVM's DNS cache TTL so a new pod's address is seen quickly: networkaddress.cache.ttl"
            " (a java.security property), e.g. JAVA_OPTS_APPEND=-Dsun.net.inetaddr.ttl=10 (the system-property form)."
            + namespace_hint(n)
        )
        out.append(
            Finding(
                id="R2-dns-not-ready",
                severity=Severity.WARNING,
                title="Starting pods missing from DNS: singletons at startup, merged later",
                summary=summary,
                evidence=evidence(ev),
                remediation=remediation,
                details={"channel": r.analysis.channel, "lonely_pods": lonely_pods, "other_pods": others},
            )
        )
    return out


def _jdbc_no_members(r: Any, summary: str, sev: Severity, ev: list[Any], lonely_pods: list[str],
                     others: list[str], open_: bool) -> Finding:
    """The lonely-pod signature under JDBC_PING (Keycloak's default ``jdbc-ping`` stack): no DNS
    Service is involved, so R1's headless-Service fix does not apply."""
    remediation = (
        "The pods discover each other through rows in the database table (JGROUPS_PING / jgroups_ping), "
        "so a pod that finds no members either reads another table than the others or cannot reach the "
        "coordinator it finds:\n"
        "  1. Every pod must use the same database and schema (KC_DB_URL, KC_DB_SCHEMA) and the same "
        "cluster name; check the table: SELECT * FROM JGROUPS_PING; — one row per running pod, exactly "
        "one coord=true.\n"
        "  2. The rows hold each pod's address: port 7800 must be open between the pods (NetworkPolicy, "
        "firewall, service mesh sidecars: exclude 7800 and 57800), and the address must be the pod IP, "
        "not 127.0.0.1 (-Djgroups.bind.address=$(POD_IP)).\n"
        "  3. Stale rows of dead pods send JOINs nowhere: see R13 (clear the table on view change, upgrade).\n"
        "Raise org.jgroups.protocols.JDBC_PING2 and org.jgroups.protocols.pbcast.GMS to DEBUG "
        "(Keycloak: --log-level=INFO,org.jgroups:DEBUG) to see what each pod reads from the table."
    )
    return _lonely_variant(r, "R1-no-members-jdbc-ping",
                           "Pods create their own clusters: JDBC_PING discovery finds no members",
                           summary, sev, ev, remediation, lonely_pods, others, open_, protocol="JDBC_PING")


def _compose_no_members(r: Any, summary: str, sev: Severity, ev: list[Any], lonely_pods: list[str],
                        others: list[str], open_: bool, query: str | None) -> Finding:
    """The lonely-pod signature in ``docker compose logs``: no Kubernetes Service is involved."""
    q = f" (now `{query}`)" if query else ""
    remediation = (
        "These containers run under docker compose, where there is no Kubernetes Service: DNS_PING must ask "
        f"Docker's embedded DNS for the compose service name{q}, which answers with the IP of every container "
        "of that service on a user-defined network — e.g. dns_query=keycloak for a service named keycloak "
        "(Swarm: tasks.keycloak). A Kubernetes name such as keycloak-headless.<ns>.svc.cluster.local does not "
        "resolve here.\n"
        "  environment:\n"
        "    KC_CACHE_STACK: kubernetes\n"
        "    JAVA_OPTS_APPEND: -Djgroups.dns.query=keycloak\n"
        "Alternatively use the jdbc-ping stack (Keycloak ≥26's default), which needs no DNS. The containers must "
        "share a network on which port 7800 is reachable."
    )
    return _lonely_variant(r, "R1-no-members-compose",
                           "Containers create their own clusters under docker compose: discovery finds no members",
                           summary, sev, ev, remediation, lonely_pods, others, open_, environment="docker compose")


def _lonely_variant(r: Any, fid: str, title: str, summary: str, sev: Severity, ev: list[Any], remediation: str,
                    lonely_pods: list[str], others: list[str], open_: bool, **details: Any) -> Finding:
    """R1's lonely-pod signature where R1's Service fix does not apply (another discovery, another
    environment): the same evidence and details, another fix."""
    return Finding(
        id=fid,
        severity=sev,
        title=title,
        summary=summary,
        evidence=evidence(ev),
        remediation=remediation,
        details={"channel": r.analysis.channel, "lonely_pods": lonely_pods, "other_pods": others,
                 "open": open_, **details},
    )
