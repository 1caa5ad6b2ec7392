"""The network between the pods: R7 (port 7800 blocked: NetworkPolicy, firewall, service mesh),
R8 (the FD_SOCK2 port unreachable: view installation waits for ACKs), R9 (wrong bind address)."""

from __future__ import annotations

from collections import defaultdict

from jgview.findings import Context, rule
from jgview.findings.r00_common import (
    guarded,
    Facts,
    Nets,
    count,
    evidence,
    facts,
    host_of,
    namespace_hint,
    plist,
    spread,
    yaml_labels,
)
from jgview.identity import bare, workload_of
from jgview.models import Event, Finding, Kind, Severity


def _sidecar(f: Facts, pods: set[str]) -> str | None:
    for po in f.pod_objects(pods):
        spec = po.get("spec") or {}
        names = [str(c.get("name")) for c in (spec.get("containers") or []) + (spec.get("initContainers") or []) if isinstance(c, dict)]
        ann = (po.get("metadata") or {}).get("annotations") or {}
        if "istio-proxy" in names or (isinstance(ann, dict) and "sidecar.istio.io/status" in ann):
            return "istio-proxy"
        if "linkerd-proxy" in names:
            return "linkerd-proxy"
    return None


def network_policy_yaml(n: Nets) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\n"
        "kind: NetworkPolicy\n"
        "metadata:\n"
        f"  name: {n.workload}-jgroups\n"
        f"  namespace: {n.ns}{n.ns_note}\n"
        "spec:\n"
        "  podSelector:\n"
        "    matchLabels:\n"
        f"{yaml_labels(n.labels, 6, n.example_pod)}\n"
        "  policyTypes:\n"
        "    - Ingress\n"
        "  ingress:\n"
        "    - from:\n"
        "        - podSelector:\n"
        "            matchLabels:\n"
        f"{yaml_labels(n.labels, 14, n.example_pod)}\n"
        "      ports:\n"
        "        - protocol: TCP\n"
        f"          port: {n.port}          # JGroups TCP\n"
        "        - protocol: TCP\n"
        f"          port: {n.port + 50000}         # FD_SOCK2 (bind port + offset 50000)\n"
    )


def _by_workload(evs: list[Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for ev in evs:
        out[workload_of(ev.pod or "?")].append(ev)
    return out


@rule("R7")
@guarded
def port_blocked(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    live, stale, singles = f.join_problems()
    singles = f.unexplained_singletons(singles, stale)
    sends = f.send_failures()
    out: list[Finding] = []
    done: set[str] = set()
    by_wl = _by_workload(live + sends + singles)
    for wl, evs in by_wl.items():
        pods_with = sorted({ev.pod for ev in evs if ev.pod})
        group = f.group_of(pods_with)
        joins = [ev for ev in evs if ev.kind is Kind.JOIN_TIMEOUT]
        single = [ev for ev in evs if ev.kind is Kind.SINGLETON]
        lonely = f.lonely_among(group)
        state = f.state(group)
        # connection failures alone are what a partition (R11) or a departing member looks like;
        # they point at a blocked port only when the pods never got together
        fails = [ev for ev in evs if ev.kind not in (Kind.JOIN_TIMEOUT, Kind.SINGLETON)] if (joins or single or lonely) else []
        if not joins and not single and not fails:
            continue
        evs = joins + single + fails
        significant = bool(single) or len(joins) >= 2 or bool(lonely) or state in ("split", "alone")
        targets = sorted({bare(str(ev.subject)) for ev in evs if ev.subject})
        sidecar = _sidecar(f, group)
        n = f.nets(group)
        if not significant and not joins:
            continue
        if not significant:
            out.append(
                Finding(
                    id="R7-port-blocked",
                    severity=Severity.INFO,
                    title="A transient JOIN timeout or send failure",
                    summary=(
                        f"{plist(pods_with)} had {count(len(evs), 'transient JOIN timeout or send failure', 'transient JOIN timeouts or send failures')}"
                        f" towards {plist(targets, 3) or 'a peer'} and clustered anyway: not a blocked port."
                    ),
                    evidence=evidence(evs),
                    details={"pods": pods_with, "targets": targets},
                )
            )
            continue
        done.add(wl)
        parts = []
        if joins:
            parts.append(f"{count(len(joins), 'JOIN')} timed out")
        if single:
            parts.append("`too many JOIN attempts: becoming singleton`")
        if fails:
            parts.append(f"{count(len(fails), 'connection failure')} ({_reasons(fails)})")
        target_pods = {f.pod_of(t) for t in targets}
        if len(pods_with) > 1 and target_pods <= set(pods_with):
            found = f"{plist(pods_with)} found each other by discovery but could not connect"
        else:
            found = (f"{plist(pods_with)} found {plist(targets, 3) or 'their peers'} by discovery but could not reach"
                     f" {'it' if len(targets) == 1 else 'them'}")
        summary = (
            f"{found}: {', '.join(parts)}; port {n.port} is blocked between the pods"
            + (f" — the pods run a {sidecar} sidecar" if sidecar else " (NetworkPolicy, firewall or a service mesh)")
        )
        summary += _state_tail(state, f.at_end) + "."
        ev: list[Event] = single[:2] + spread(joins)[:3] + spread(fails)[:2] + [lo.created for lo in lonely][:2]
        nophys = [e for e in f.events([Kind.NO_PHYSICAL_ADDRESS], group)][:1]
        out.append(
            Finding(
                id="R7-port-blocked",
                severity=Severity.ERROR if f.blocks(group) else Severity.WARNING,
                title="Members find each other but cannot talk: JGroups port blocked",
                summary=summary,
                evidence=evidence(ev + nophys),
                remediation=_r7_fix(f, n, targets, sidecar, stale_in=[e for e in stale if e.pod in group]),
                details={"pods": pods_with, "targets": targets, "joins": len(joins), "failures": len(fails),
                         "sidecar": sidecar},
            )
        )
    # DNS lists the pods, yet each pod is alone, with no other explanation
    groups: dict[int, set[str]] = {}
    for lo in f.lonely():
        groups.setdefault(id(lo.result), set()).update({lo.pod, *lo.others})
    for pods in groups.values():
        if workload_of(sorted(pods)[0]) in done:
            continue
        causes = f.causes(pods)
        if set(causes) != {"R7"}:
            continue
        dv, dev = f.dns_verdict(pods)
        if dv != "pods" or any(e.kind in (Kind.JOIN_TIMEOUT, Kind.SEND_FAILED) for e in causes["R7"]):
            continue
        lonely = sorted({lo.pod for lo in f.lonely_among(pods)})
        n = f.nets(pods)
        sidecar = _sidecar(f, pods)
        summary = (
            f"DNS_PING found the pods' addresses, yet {count(len(lonely), 'pod')} ({plist(lonely)}) created"
            f" {'their own clusters' if len(lonely) > 1 else 'its own cluster'}: discovery requests to port {n.port}"
            " got no answer" + (f" — the pods run a {sidecar} sidecar" if sidecar else " (NetworkPolicy, firewall or a service mesh)")
        )
        summary += _state_tail(f.state(pods), f.at_end) + "."
        out.append(
            Finding(
                id="R7-port-blocked",
                severity=Severity.ERROR if f.blocks(pods) else Severity.WARNING,
                title="Discovery finds the pods but gets no answer: JGroups port blocked",
                summary=summary,
                evidence=evidence(dev[:2] + [lo.created for lo in f.lonely_among(pods)]),
                remediation=_r7_fix(f, n, [], sidecar, []),
                details={"lonely_pods": lonely, "sidecar": sidecar},
            )
        )
    return out


def _state_tail(state: str, at_end: str = "at the end of the logs") -> str:
    return {
        "split": f", and the pods are still apart {at_end}",
        "alone": f", and the pod is still alone {at_end}",
        "none": "",
        "clustered": "; they clustered later",
    }.get(state, "")


def _reasons(evs: list[Event]) -> str:
    names = []
    for ev in evs:
        txt = str(ev.detail.get("reason") or ev.text)
        for k in ("ConnectException", "NoRouteToHostException", "SocketTimeoutException", "Connect timed out",
                  "Connection refused", "Connection reset"):
            if k in txt and k not in names:
                names.append(k)
    return ", ".join(names[:3]) or "connection problems"


def _r7_fix(f: Facts, n: Nets, targets: list[str], sidecar: str | None, stale_in: list[Event]) -> str:
    p, fd = n.port, n.port + 50000
    peer_ip = None
    for t in targets:
        tp = f.pod_of(t)
        ph = f.h.pods.get(tp) if tp else None
        for inc in (ph.incs if ph else []):
            if inc.physical:
                peer_ip = host_of(inc.physical[0])
    istio = (
        "With Istio, keep the sidecar out of JGroups traffic (pod template annotations):\n"
        f"  traffic.sidecar.istio.io/excludeInboundPorts: \"{p},{fd}\"\n"
        f"  traffic.sidecar.istio.io/excludeOutboundPorts: \"{p},{fd}\"\n"
        "or declare the ports and use PERMISSIVE mTLS on them (PeerAuthentication portLevelMtls).\n"
    )
    text = (istio + "\n" if sidecar == "istio-proxy" else "") + (
        f"Allow JGroups traffic between the pods of {n.workload} (port {p}, and {fd} for FD_SOCK2):\n\n"
        + network_policy_yaml(n)
        + "\n"
    )
    if sidecar != "istio-proxy":
        text += istio
    text += (
        f"Also check firewalls between the nodes (TCP {p} and {fd}).\n"
        f"Check from one pod to another: kubectl exec {n.example_pod} -n {n.ns} -- bash -c"
        f" 'echo > /dev/tcp/{peer_ip or '<peer-pod-ip>'}/{p} && echo open'"
    )
    if stale_in:
        text += (
            "\nSome JOIN targets are addresses of pods that no longer exist: stale discovery entries"
            " (see R13) rather than a blocked port."
        )
    return text + namespace_hint(n)


@rule("R8")
@guarded
def fd_sock_port(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    evs = f.events([Kind.ACK_TIMEOUT])
    if not evs:
        return []
    kept: list[Event] = []
    missing: list[str] = []
    for ev in evs:
        names = [bare(str(m)) for m in (ev.detail.get("missing_from") or ()) if m]
        live_names = [m for m in names if _live_member(f, m, f.t(ev))]
        if names and not live_names:
            continue  # the missing member had crashed or left: JGroups 4.2 logs this even then
        kept.append(ev)
        for m in live_names or names:
            if m not in missing:
                missing.append(m)
    if not kept:
        return []
    pods = sorted({ev.pod for ev in kept if ev.pod})
    views = sorted({str(ev.detail.get("view_id")) for ev in kept if ev.detail.get("view_id")})
    n = f.nets(f.group_of(pods))
    fd = n.port + 50000
    summary = (
        f"View installation on {plist(pods)} waited for ACKs that never came: "
        f"{count(len(kept), 'time')} `failed to collect all ACKs`"
        + (f" for {plist(views, 3)}" if views else "")
        + (f", missing ACKs from {plist(missing, 3)}" if missing else "")
        + f": the cluster forms but a port between the pods is unreachable (FD_SOCK2 {fd}"
        + ("; WildFly 57600" if n.port != 7600 else "")
        + ")."
    )
    return [
        Finding(
            id="R8-fd-sock-port",
            severity=Severity.WARNING,
            title="View installation stalls: FD_SOCK/FD_SOCK2 port unreachable",
            summary=summary,
            evidence=evidence(spread(kept)),
            remediation=(
                f"Open the failure-detection port ({fd} = bind port {n.port} + offset 50000) between the pods, next to"
                f" {n.port}:\n\n" + network_policy_yaml(n)
                + "\nWith a service mesh, exclude both ports from the sidecar"
                f" (traffic.sidecar.istio.io/excludeInboundPorts: \"{n.port},{fd}\")." + namespace_hint(n)
            ),
            details={"pods": pods, "missing": missing, "views": views},
        )
    ]


def _live_member(f: Facts, name: str, at: float) -> bool:
    p = f.pod_of(name)
    if p is None:
        return True  # unknown: cannot rule it out
    if f.stale_target(name, at):
        return False
    return any(p in r.live for r in f.results_of.get(p, [])) or not f.results_of.get(p)


@rule("R9")
@guarded
def bind_address(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    problems = f.bind_problems()
    by_pod: dict[str, list[tuple[Event, str]]] = defaultdict(list)
    for ev, why in problems:
        by_pod[ev.pod or "?"].append((ev, why))
    if by_pod:
        pods = sorted(by_pod)
        group = f.group_of(pods)
        whys = []
        for lst in by_pod.values():
            for _e, w in lst:
                if w not in whys:
                    whys.append(w)
        summary = (
            f"JGroups on {plist(pods)} has no usable address ({plist(whys, 2)}): other pods cannot reach"
            f" {'it' if len(pods) == 1 else 'them'}"
        )
        summary += _state_tail(f.state(group), f.at_end) + "."
        out.append(
            Finding(
                id="R9-bind-address",
                severity=Severity.ERROR if f.blocks(group) else Severity.WARNING,
                title="Wrong bind address",
                summary=summary,
                evidence=evidence([e for lst in by_pod.values() for e, _ in lst]),
                remediation=_bind_fix(),
                details={"pods": pods, "reasons": whys},
            )
        )
    for r in f.results:
        pods = f.group_pods(r)
        fam, fev = f.mixed_families(pods)
        if not fam:
            continue
        desc = "; ".join(f"{k} on {plist(sorted(v), 3)}" for k, v in sorted(fam.items()))
        out.append(
            Finding(
                id="R9-bind-address",
                severity=Severity.ERROR if f.blocks(pods) else Severity.WARNING,
                title="Pods bind different address families",
                summary=f"The pods of channel {r.analysis.channel} bind different address families ({desc}): IPv4 and IPv6 members cannot talk.",
                evidence=evidence(fev),
                remediation=_bind_fix(),
                details={"channel": r.analysis.channel, "families": {k: sorted(v) for k, v in fam.items()}},
            )
        )
    return out


def _bind_fix() -> str:
    return (
        "Bind JGroups to the pod's own IP, the same address family on every pod (pod template):\n\n"
        "env:\n"
        "  - name: POD_IP\n"
        "    valueFrom:\n"
        "      fieldRef:\n"
        "        fieldPath: status.podIP\n"
        "  - name: JAVA_OPTS_APPEND\n"
        "    value: \"-Djgroups.bind.address=$(POD_IP) -Djava.net.preferIPv4Stack=true\"\n\n"
        "(or -Djgroups.bind_addr=SITE_LOCAL / match-interface:eth.*; on an IPv6-only cluster use"
        " -Djava.net.preferIPv6Addresses=true instead of preferIPv4Stack, on every pod alike.)\n"
        "Check: each pod's `ISPN000079 ... physical addresses are [...]` line shows its pod IP (kubectl get pods -o wide)."
    )
