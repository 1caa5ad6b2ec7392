"""R3 (KUBE_PING cannot list pods: RBAC 403) and R4 (KUBE_PING asks the wrong namespace or
labels, or has no namespace at all)."""

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
    namespace_hint,
    plist,
    yq,
)
import re

from jgview.identity import workload_of
from jgview.lazy import LazyPattern
from jgview.models import Event, Finding, Severity


_NS_NAME = LazyPattern(re.compile, r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def _by_workload(events: list[Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        out[workload_of(ev.pod or "?")].append(ev)
    return out


def _lonely_note(f: Facts, group: set[str]) -> str:
    lons = f.lonely_among(group)
    pods = sorted({lo.pod for lo in lons})
    if len(pods) >= 2:
        return f"; {count(len(pods), 'pod')} ({plist(pods)}) each created their own cluster as coordinator"
    if pods:
        return f"; {pods[0]} created its own cluster as coordinator"
    return ""


def _rbac_yaml(n: Nets, ns: str, sa: str) -> str:
    note = "" if n.service_account else "    # REPLACE if the pods run under another ServiceAccount (spec.serviceAccountName)"
    ns_note = n.ns_note if ns == n.ns else ""
    return (
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: Role\n"
        "metadata:\n"
        "  name: jgroups-kube-ping\n"
        f"  namespace: {ns}{ns_note}\n"
        "rules:\n"
        "  - apiGroups: [\"\"]\n"
        "    resources: [\"pods\"]\n"
        "    verbs: [\"get\", \"list\"]\n"
        "---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: RoleBinding\n"
        "metadata:\n"
        "  name: jgroups-kube-ping\n"
        f"  namespace: {ns}\n"
        "subjects:\n"
        "  - kind: ServiceAccount\n"
        f"    name: {yq(sa)}{note}\n"
        f"    namespace: {ns}\n"
        "roleRef:\n"
        "  apiGroup: rbac.authorization.k8s.io\n"
        "  kind: Role\n"
        "  name: jgroups-kube-ping\n"
    )


def _kube_env(n: Nets) -> str:
    labels = ",".join(f"{k}={v}" for k, v in sorted((n.labels or {}).items()))
    lab = labels or "<key>=<value>    # REPLACE with a selector that matches exactly this cluster's pods"
    return (
        "env:\n"
        "  - name: KUBERNETES_NAMESPACE      # KUBE_PING's namespace, from the downward API\n"
        "    valueFrom:\n"
        "      fieldRef:\n"
        "        fieldPath: metadata.namespace\n"
        "  - name: KUBERNETES_LABELS         # KUBE_PING's label selector\n"
        f"    value: {lab if not labels else yq(labels)}\n"
    )


@rule("R3")
@guarded
def kube_ping_rbac(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    for wl, evs in _by_workload(f.kube_ping_errors()).items():
        pods_err = sorted({ev.pod for ev in evs if ev.pod})
        group = f.group_of(pods_err)
        n = f.nets(group)
        statuses = sorted({int(ev.detail["http_status"]) for ev in evs if str(ev.detail.get("http_status", "")).isdigit()})
        if not statuses and any("403" in ev.text for ev in evs):
            statuses = [403]
        asked_ns = next((str(ev.detail["namespace"]) for ev in evs if ev.detail.get("namespace")), None)
        if asked_ns is not None and not _NS_NAME.fullmatch(asked_ns):
            asked_ns = None
        asked_labels = next((str(ev.detail["labels"]) for ev in evs if ev.detail.get("labels")), None)
        ns = n.namespace or asked_ns or n.ns
        sa = n.service_account or "default"
        what = f"namespace [{asked_ns}]" if asked_ns else "the namespace"
        if asked_labels:
            what += f", labels [{asked_labels}]"
        if 403 in statuses:
            head = f"KUBE_PING on {plist(pods_err)} may not list pods: the Kubernetes API answered HTTP 403 for {what}"
        elif statuses:
            head = (
                f"KUBE_PING on {plist(pods_err)} could not list pods: the Kubernetes API answered HTTP "
                f"{', '.join(map(str, statuses))} for {what}"
            )
        else:
            head = f"KUBE_PING on {plist(pods_err)} could not get the pod list from the Kubernetes API for {what}"
        blocks = f.blocks(group)
        summary = head + _lonely_note(f, group)
        if not blocks:
            summary += "; the pods clustered anyway later (the failure was transient or fixed)"
        summary += "."
        ev = list(evs[:3]) + [lo.created for lo in f.lonely_among(group)][:3]
        remediation = (
            f"Allow the pods' ServiceAccount ({sa}) to list pods in namespace {ns}:\n\n"
            + _rbac_yaml(n, ns, sa)
            + "\nor with kubectl:\n"
            f"  kubectl create role jgroups-kube-ping --verb=get,list --resource=pods -n {ns}\n"
            f"  kubectl create rolebinding jgroups-kube-ping --role=jgroups-kube-ping --serviceaccount={ns}:{sa} -n {ns}\n"
            f"Check: kubectl auth can-i list pods -n {ns} --as=system:serviceaccount:{ns}:{sa}   (must print yes)\n"
            "Then restart the pods. KUBE_PING logs this failure once per failure streak, so after the fix look"
            " for views with all members rather than for the warning to stop.\n"
            "Alternatives without API access: DNS_PING with a headless discovery Service, or JDBC_PING."
            + ("" if n.service_account else "\n(The ServiceAccount is assumed to be `default`: the logs do not name it.)")
            + namespace_hint(n)
        )
        if 403 not in statuses and statuses:
            remediation = (
                f"HTTP {', '.join(map(str, statuses))} is not the RBAC case: check the pod's token and the API URL"
                " (KUBERNETES_MASTER_PROTOCOL/HOST/PORT) first; if it is RBAC, this is the fix:\n\n" + remediation
            )
        out.append(
            Finding(
                id="R3-kube-ping-rbac",
                severity=Severity.ERROR if blocks else Severity.WARNING,
                title="KUBE_PING cannot list pods (RBAC)",
                summary=summary,
                evidence=evidence(ev),
                remediation=remediation,
                details={"pods": pods_err, "http_status": statuses, "namespace": ns, "service_account": sa,
                         "workload": wl},
            )
        )
    return out


@rule("R4")
@guarded
def kube_ping_selector(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    out: list[Finding] = []
    # (a) namespace not set: clustering disabled
    for wl, evs in _by_workload(f.kube_ping_ns_not_set()).items():
        pods = sorted({ev.pod for ev in evs if ev.pod})
        group = f.group_of(pods)
        n = f.nets(group)
        blocks = f.blocks(group)
        summary = f"KUBE_PING on {plist(pods)} has no namespace: `namespace not set; clustering disabled`"
        summary += _lonely_note(f, group) + "."
        out.append(
            Finding(
                id="R4-kube-ping-selector",
                severity=Severity.ERROR if blocks else Severity.WARNING,
                title="KUBE_PING without a namespace: clustering disabled",
                summary=summary,
                evidence=evidence(list(evs[:3]) + [lo.created for lo in f.lonely_among(group)][:3]),
                remediation=(
                    "Give KUBE_PING the pods' namespace from the downward API and a label selector that matches"
                    f" exactly this cluster's pods (pod template of {n.workload}):\n\n"
                    + _kube_env(n)
                    + f"\nCheck: kubectl get pods -n {n.ns} -l {_sel(n)} lists exactly the pods of this cluster."
                    + namespace_hint(n)
                ),
                details={"pods": pods, "workload": wl},
            )
        )
    # (b) KUBE_PING asks a namespace other than the pods'
    seen_wl = {d.details.get("workload") for d in out}
    for wl, evs in _by_workload([ev for ev in f.kube_ping_errors() if ev.detail.get("namespace")]).items():
        pods = sorted({ev.pod for ev in evs if ev.pod})
        n = f.nets(f.group_of(pods))
        asked = str(evs[0].detail["namespace"])
        if not n.namespace or n.namespace == asked or n.ns_from != "the pod objects":
            continue
        seen_wl.add(wl)
        out.append(
            Finding(
                id="R4-kube-ping-selector",
                severity=Severity.ERROR if f.blocks(f.group_of(pods)) else Severity.WARNING,
                title="KUBE_PING asks the wrong namespace",
                summary=(
                    f"KUBE_PING on {plist(pods)} asks namespace [{asked}] but the pods run in [{n.namespace}]"
                    + _lonely_note(f, f.group_of(pods)) + "."
                ),
                evidence=evidence(evs[:3]),
                remediation="Point KUBE_PING at the pods' own namespace:\n\n" + _kube_env(n),
                details={"pods": pods, "asked_namespace": asked, "namespace": n.namespace, "workload": wl},
            )
        )
    # (c) KUBE_PING in use, pods alone, no error at all: the selector finds no pods
    for lo_group in _lonely_groups(f):
        group = f.group_of(lo_group)
        causes = f.causes(group)
        if causes.get("R4") != [] or set(causes) - {"R4"}:
            continue
        wl = workload_of(sorted(lo_group)[0])
        if wl in seen_wl:
            continue
        n = f.nets(group)
        lonely = sorted({lo.pod for lo in f.lonely_among(group)})
        open_ = any(lo.how == "open" for lo in f.lonely_among(group))
        out.append(
            Finding(
                id="R4-kube-ping-selector",
                severity=Severity.ERROR if open_ else Severity.WARNING,
                title="KUBE_PING finds no members: namespace or labels select no pods",
                summary=(
                    f"KUBE_PING is the discovery protocol, yet {count(len(lonely), 'pod')} ({plist(lonely)}) "
                    f"{'each ' if len(lonely) > 1 else ''}created their own cluster with no discovery error: the namespace"
                    " or labels it asks for do not select these pods (or a 403, logged only once, was cut from the logs)."
                ),
                evidence=evidence([lo.created for lo in f.lonely_among(group)]),
                remediation=(
                    f"Check what KUBE_PING sees: kubectl get pods -n {n.ns} -l {_sel(n)} must list all pods of this"
                    " cluster. Then set the namespace and labels it uses:\n\n" + _kube_env(n)
                    + f"\nAlso check RBAC: kubectl auth can-i list pods -n {n.ns}"
                    f" --as=system:serviceaccount:{n.ns}:{n.service_account or 'default'}; and read each log from its"
                    " start (kubectl logs --tail=-1), where a 403 would be."
                    + namespace_hint(n)
                ),
                details={"lonely_pods": lonely, "workload": wl},
            )
        )
    return out


def _sel(n: Nets) -> str:
    if n.labels:
        return ",".join(f"{k}={v}" for k, v in sorted(n.labels.items()))
    return "<key>=<value>"


def _lonely_groups(f: Facts) -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for lo in f.lonely():
        groups.setdefault(id(lo.result), set()).update({lo.pod, *lo.others})
    return list(groups.values())
