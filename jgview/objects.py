"""Checks of Kubernetes objects that logs alone cannot give (rules of reference/diagnostics.md).

Input is the dict :func:`jgview.bundle.load_objects` returns (pods, services, endpoints,
endpointslices, workloads, networkpolicies, configmaps, events, can_i …); output is a list of
:class:`jgview.models.Finding`. Nothing here talks to a cluster or reads files.

* the Service that DNS_PING queries (``dns_query`` from ``JGROUPS_DISCOVERY_PROPERTIES``,
  ``-Djgroups.dns.query=`` in ``JAVA_OPTS``/``JAVA_OPTS_APPEND``/args, a mounted JGroups stack):
  missing (``dns-service-missing``), not headless (``R1-dns-service-not-headless``), not
  publishing not-ready addresses (``R2-dns-service-not-ready-addresses``), endpoints not covering
  the pods (``dns-endpoints-incomplete``);
* KUBE_PING whose ServiceAccount may not list pods (``R3-kube-ping-rbac``, from ``can_i``);
* NetworkPolicies that block 7800/57800 between the pods (``R7-networkpolicy-blocks-jgroups``);
* pods of one workload running different images (``R6-mixed-images``);
* restarts and ``OOMKilled`` (``R14-restarts-oomkilled``); pods not Ready (``pod-not-ready``);
* what ``jgview collect`` could not fetch, from the bundle manifest (``collect-incomplete``).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jgview.models import Evidence, Finding, Severity

JGROUPS_PORT = 7800
FD_SOCK2_PORT = 57800
MAX_EVIDENCE = 20
MAX_POLICY_PODS = 10

_DNS_QUERY_PROP = re.compile(r"(?:^|[\s,;])dns_query\s*=\s*(?P<q>[^\s,;\"']{1,253})")
_DNS_QUERY_SYSPROP = re.compile(r"-Djgroups\.dns\.query=(?P<q>[^\s\"']{1,253})")
_DNS_QUERY_XML = re.compile(r"dns_query\s*=\s*\"(?P<q>[^\"]{1,300})\"")
_PROPERTY_REF = re.compile(r"^\$\{(?P<names>[^}:]{1,200})(?::(?P<default>[^}]{0,253}))?\}$")
_K8S_VAR = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,100})\)")
_VOLATILE_LABELS = (
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "deployment",
    "pod-template-generation",
    "job-name",
    "batch.kubernetes.io/job-name",
    "openshift.io/deployer-pod-for.name",
)


# --------------------------------------------------------------------------------------------
# small helpers


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _name(obj: dict[str, Any]) -> str:
    return str(_meta(obj).get("name", ""))


def _ns(obj: dict[str, Any]) -> str:
    return str(_meta(obj).get("namespace") or "")


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    labels = _meta(obj).get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in _list(_dict(pod.get("spec")).get("containers")) if isinstance(c, dict)]


def _src(objects: dict[str, Any], kind: str) -> str:
    return str(_dict(objects.get("sources")).get(kind) or f"objects/{kind}.json")


def _objs(objects: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in _list(objects.get(kind)) if isinstance(o, dict)]


def _ready(pod: dict[str, Any]) -> bool:
    for c in _list(_dict(pod.get("status")).get("conditions")):
        if isinstance(c, dict) and c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _pod_ip(pod: dict[str, Any]) -> str | None:
    ip = _dict(pod.get("status")).get("podIP")
    return str(ip) if ip else None


def to_yaml(value: Any, indent: int = 0) -> str:
    """A small block-YAML emitter for remediation snippets (dicts, lists, scalars)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = ""
        for k, v in value.items():
            key = _yaml_scalar(str(k))
            if isinstance(v, (dict, list)) and v:
                out += f"{pad}{key}:\n" + to_yaml(v, indent + (2 if isinstance(v, dict) else 0))
            else:
                out += f"{pad}{key}: {_yaml_scalar(v)}\n"
        return out
    if isinstance(value, list):
        out = ""
        for item in value:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 2)
                out += f"{pad}- " + body[indent + 2 :]
            elif isinstance(item, list) and item:
                out += f"{pad}-\n" + to_yaml(item, indent + 2)
            else:
                out += f"{pad}- {_yaml_scalar(item)}\n"
        return out
    return pad + _yaml_scalar(value) + "\n"


def _yaml_scalar(v: Any) -> str:
    if isinstance(v, (dict, list)):  # only empty ones reach here
        return "{}" if isinstance(v, dict) else "[]"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    if (
        not s
        or s.strip() != s
        or re.search(r"[:#{}\[\],&*!|>'\"%@`]", s)
        or s.lower() in ("true", "false", "null", "yes", "no", "on", "off", "~", "none")
        or re.match(r"^[-+]?[0-9.]+$", s)
        or s.startswith("-")
    ):
        return json.dumps(s)
    return s


# --------------------------------------------------------------------------------------------
# env and discovery configuration of a pod


@dataclass(frozen=True)
class _EnvValue:
    container: str
    name: str
    value: str
    origin: str
    """Where it came from: ``env NAME``, ``ConfigMap cm key K`` …"""


def _configmap(objects: dict[str, Any] | None, ns: str, name: str) -> dict[str, Any] | None:
    if not objects:
        return None
    for cm in _objs(objects, "configmaps"):
        if _name(cm) == name and (not _ns(cm) or not ns or _ns(cm) == ns):
            return cm
    return None


def _expand(value: str, known: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion with the variables defined so far."""
    return _K8S_VAR.sub(lambda m: known.get(m.group("name"), m.group(0)), value)


def _env_values(pod: dict[str, Any], objects: dict[str, Any] | None = None) -> list[_EnvValue]:
    """Literal env values, ``$(VAR)`` expanded, with ConfigMap and downward-API references resolved."""
    ns, pod_name = _ns(pod), _name(pod)
    out: list[_EnvValue] = []
    for c in _containers(pod):
        cname = str(c.get("name", ""))
        known: dict[str, str] = {}
        for ef in _list(c.get("envFrom")):
            ref = _dict(_dict(ef).get("configMapRef"))
            cm = _configmap(objects, ns, str(ref.get("name", "")))
            if cm is None:
                continue
            prefix = str(_dict(ef).get("prefix") or "")
            for k, v in _dict(cm.get("data")).items():
                if isinstance(v, str):
                    known[prefix + k] = v
                    out.append(_EnvValue(cname, prefix + k, v, f"ConfigMap {ns}/{_name(cm)} key {k}"))
        for e in _list(c.get("env")):
            if not isinstance(e, dict) or not e.get("name"):
                continue
            name = str(e["name"])
            value: str | None = None
            origin = f"env {name}"
            if isinstance(e.get("value"), str):
                value = _expand(e["value"], known)
            else:
                vf = _dict(e.get("valueFrom"))
                field = _dict(vf.get("fieldRef")).get("fieldPath")
                if field == "metadata.namespace":
                    value = ns
                elif field == "metadata.name":
                    value = pod_name
                elif field == "status.podIP":
                    value = _pod_ip(pod) or ""
                ref = _dict(vf.get("configMapKeyRef"))
                if ref:
                    cm = _configmap(objects, ns, str(ref.get("name", "")))
                    data = _dict(cm.get("data")) if cm else {}
                    key = str(ref.get("key", ""))
                    if isinstance(data.get(key), str):
                        value = data[key]
                        origin = f"env {name} from ConfigMap {ns}/{ref.get('name')} key {key}"
            if value is not None:
                known[name] = value
                out.append(_EnvValue(cname, name, value, origin))
        for key in ("command", "args"):
            for i, a in enumerate(_list(c.get(key))):
                if isinstance(a, str):
                    out.append(_EnvValue(cname, f"{key}[{i}]", _expand(a, known), key))
    return out


def _mounted_configmaps(pod: dict[str, Any], objects: dict[str, Any] | None) -> list[dict[str, Any]]:
    out = []
    for v in _list(_dict(pod.get("spec")).get("volumes")):
        name = _dict(_dict(v).get("configMap")).get("name")
        sources = [_dict(s).get("configMap") for s in _list(_dict(_dict(v).get("projected")).get("sources"))]
        for n in [name] + [_dict(s).get("name") for s in sources if s]:
            cm = _configmap(objects, _ns(pod), str(n)) if n else None
            if cm is not None:
                out.append(cm)
    return out


@dataclass(frozen=True)
class DnsQuery:
    query: str
    origin: str
    """``env JGROUPS_DISCOVERY_PROPERTIES``, ``env JAVA_OPTS_APPEND``, ``args``, ``ConfigMap …``."""
    container: str
    text: str
    """The configuration text it was read from (bounded), for evidence."""
    style: str
    """``properties`` (dns_query=…), ``sysprop`` (-Djgroups.dns.query=…) or ``xml``."""


def _queries_in(value: str) -> list[tuple[str, str]]:
    out = []
    for m in _DNS_QUERY_SYSPROP.finditer(value):
        out.append((m.group("q"), "sysprop"))
    for m in _DNS_QUERY_XML.finditer(value):
        q = m.group("q").strip()
        ref = _PROPERTY_REF.match(q)
        if ref:
            if ref.group("default"):
                out.append((ref.group("default"), "xml"))
            continue
        out.append((q, "xml"))
    if not out:
        for m in _DNS_QUERY_PROP.finditer(value):
            out.append((m.group("q"), "properties"))
    return out


def dns_queries(pod: dict[str, Any], objects: dict[str, Any] | None = None) -> list[DnsQuery]:
    """Every DNS_PING ``dns_query`` the pod's configuration names, first the most explicit."""
    found: list[DnsQuery] = []
    seen: set[str] = set()
    for ev in _env_values(pod, objects):
        for q, style in _queries_in(ev.value):
            if q.startswith("$") or q in seen:
                continue
            seen.add(q)
            found.append(DnsQuery(q, ev.origin, ev.container, ev.value[:300], style))
    for cm in _mounted_configmaps(pod, objects):
        for key, value in _dict(cm.get("data")).items():
            if not isinstance(value, str):
                continue
            for q, style in _queries_in(value):
                if q.startswith("$") or q in seen:
                    continue
                seen.add(q)
                found.append(
                    DnsQuery(
                        q,
                        f"ConfigMap {_ns(cm)}/{_name(cm)} key {key}",
                        "",
                        f'dns_query="{q}"' if style == "xml" else f"jgroups.dns.query={q}",
                        style,
                    )
                )
    return found


def dns_query_of(pod: dict[str, Any]) -> str | None:
    """The DNS_PING query of a pod: ``JGROUPS_DISCOVERY_PROPERTIES`` (``dns_query=…``),
    ``-Djgroups.dns.query=`` in ``JAVA_OPTS``/``JAVA_OPTS_APPEND``/args (Keycloak's
    ``--cache-stack=kubernetes`` / ``KC_CACHE_STACK`` read the same property). None when unset."""
    qs = dns_queries(pod)
    return qs[0].query if qs else None


def service_of_query(query: str, pod_namespace: str) -> tuple[str, str] | None:
    """``(name, namespace)`` of the Service a DNS query names, or None for a non-cluster name."""
    labels = [x for x in query.strip().rstrip(".").lower().split(".") if x]
    while labels and labels[0].startswith("_"):  # SRV: _port._tcp.svc.ns.svc.cluster.local
        labels.pop(0)
    if not labels:
        return None
    if len(labels) == 1:
        return labels[0], pod_namespace
    if len(labels) == 2 or labels[2] == "svc":
        return labels[0], labels[1]
    return None


def kube_ping_of(pod: dict[str, Any], objects: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """When the pod's configuration uses KUBE_PING: ``{"namespace": ns it lists pods in,
    "service_account": sa, "text": evidence}``; otherwise None."""
    hit: _EnvValue | None = None
    namespace = _ns(pod)
    values = _env_values(pod, objects)
    for ev in values:
        if "KUBE_PING" in ev.value or ev.name.upper().startswith("KUBE_PING"):
            hit = hit or ev
    if hit is None:
        for cm in _mounted_configmaps(pod, objects):
            for key, value in _dict(cm.get("data")).items():
                if isinstance(value, str) and "KUBE_PING" in value:
                    hit = _EnvValue("", key, "KUBE_PING", f"ConfigMap {_ns(cm)}/{_name(cm)} key {key}")
                    break
    if hit is None:
        return None
    for ev in values:
        if ev.name in ("KUBERNETES_NAMESPACE", "OPENSHIFT_KUBE_PING_NAMESPACE") and ev.value:
            namespace = ev.value
    spec = _dict(pod.get("spec"))
    sa = str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")
    return {"namespace": namespace, "service_account": sa, "text": f"{hit.origin}: {hit.value}"[:300]}


# --------------------------------------------------------------------------------------------
# owners


def _find(objects: dict[str, Any], kind: str, ns: str, name: str) -> dict[str, Any] | None:
    for o in _objs(objects, kind):
        if _name(o) == name and (not ns or not _ns(o) or _ns(o) == ns):
            return o
    return None


def _controller(obj: dict[str, Any]) -> dict[str, Any] | None:
    refs = [r for r in _list(_meta(obj).get("ownerReferences")) if isinstance(r, dict)]
    for r in refs:
        if r.get("controller"):
            return r
    return refs[0] if refs else None


_OWNER_KINDS = {
    "StatefulSet": "statefulsets",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "ReplicationController": "replicationcontrollers",
    "DeploymentConfig": "deploymentconfigs",
}


def top_owner(pod: dict[str, Any], objects: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None] | None:
    """``(kind, name, object or None)`` of the workload that owns the pod, following
    ReplicaSet → Deployment and ReplicationController → DeploymentConfig."""
    ns = _ns(pod)
    ref = _controller(pod)
    if ref is None:
        return None
    kind, name = str(ref.get("kind", "")), str(ref.get("name", ""))
    obj = _find(objects, _OWNER_KINDS[kind], ns, name) if kind in _OWNER_KINDS else None
    for _ in range(3):
        if obj is None or kind not in ("ReplicaSet", "ReplicationController"):
            break
        up = _controller(obj)
        if up is None or str(up.get("kind")) not in _OWNER_KINDS:
            break
        kind, name = str(up["kind"]), str(up.get("name", ""))
        obj = _find(objects, _OWNER_KINDS[kind], ns, name)
    return kind, name, obj


def expected_replicas(objects: dict[str, Any]) -> int | None:
    """``spec.replicas`` of the one workload owning the pods (StatefulSet, Deployment via its
    ReplicaSets, DeploymentConfig via its ReplicationControllers); None if unknown or several."""
    owners: dict[tuple[str, str, str], int | None] = {}
    for pod in _objs(objects, "pods"):
        top = top_owner(pod, objects)
        if top is None:
            continue
        kind, name, obj = top
        replicas = _dict(obj.get("spec")).get("replicas") if obj else None
        owners[(kind, _ns(pod), name)] = replicas if isinstance(replicas, int) else None
    if len(owners) != 1:
        return None
    return next(iter(owners.values()))


# --------------------------------------------------------------------------------------------
# label selectors and NetworkPolicy semantics


def selector_matches(selector: Any, labels: dict[str, str]) -> bool | None:
    """A LabelSelector (matchLabels/matchExpressions) against labels; None when malformed."""
    if selector is None:
        return False
    if not isinstance(selector, dict):
        return None
    for k, v in _dict(selector.get("matchLabels")).items():
        if labels.get(str(k)) != str(v):
            return False
    for expr in _list(selector.get("matchExpressions")):
        if not isinstance(expr, dict):
            return None
        key, op = str(expr.get("key", "")), expr.get("operator")
        values = {str(v) for v in _list(expr.get("values"))}
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return None
    return True


def _ns_labels(ns: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": ns}


def _peer_matches(peer: dict[str, Any], policy_ns: str, other: dict[str, Any]) -> bool | None:
    """Does a NetworkPolicyPeer admit the other pod? None when the objects cannot tell."""
    if "ipBlock" in peer:
        block = _dict(peer.get("ipBlock"))
        ip = _pod_ip(other)
        if ip is None:
            return None
        try:
            addr = ipaddress.ip_address(ip)
            if addr not in ipaddress.ip_network(str(block.get("cidr")), strict=False):
                return False
            return not any(
                addr in ipaddress.ip_network(str(e), strict=False) for e in _list(block.get("except"))
            )
        except ValueError:
            return None
    ns_sel = peer.get("namespaceSelector")
    pod_sel = peer.get("podSelector")
    if ns_sel is None:
        if _ns(other) != policy_ns:
            return False
    else:
        nsm = selector_matches(ns_sel, _ns_labels(_ns(other)))
        if nsm is not True:
            sel = _dict(ns_sel)
            only_name = all(
                k == "kubernetes.io/metadata.name" for k in _dict(sel.get("matchLabels"))
            ) and all(
                _dict(e).get("key") == "kubernetes.io/metadata.name"
                for e in _list(sel.get("matchExpressions"))
            )
            return False if (nsm is False and only_name) else None
    if pod_sel is None:
        return True
    return selector_matches(pod_sel, _labels(other))


def _port_matches(entry: dict[str, Any], port: int, target: dict[str, Any]) -> bool | None:
    if str(entry.get("protocol") or "TCP").upper() != "TCP":
        return False
    p = entry.get("port")
    if p is None:
        return True
    if isinstance(p, str) and not p.isdigit():
        for c in _containers(target):
            for cp in _list(c.get("ports")):
                if _dict(cp).get("name") == p:
                    return _dict(cp).get("containerPort") == port
        return False
    try:
        lo = int(p)
    except (TypeError, ValueError):
        return None
    hi = entry.get("endPort")
    return lo <= port <= (int(hi) if isinstance(hi, int) else lo)


def _policy_types(policy: dict[str, Any]) -> list[str]:
    spec = _dict(policy.get("spec"))
    types = [str(t) for t in _list(spec.get("policyTypes"))]
    if types:
        return types
    return ["Ingress"] + (["Egress"] if "egress" in spec else [])


def _direction_allows(
    policies: list[dict[str, Any]], direction: str, subject: dict[str, Any], other: dict[str, Any], port: int
) -> tuple[bool | None, list[dict[str, Any]]]:
    """Whether the policies that select ``subject`` for ``direction`` admit traffic with ``other``
    on ``port``: (True/False/None, the selecting policies)."""
    selecting = [
        p
        for p in policies
        if _ns(p) == _ns(subject)
        and direction in _policy_types(p)
        and selector_matches(_dict(p.get("spec")).get("podSelector", {}), _labels(subject)) is True
    ]
    if not selecting:
        return True, []
    target = subject if direction == "Ingress" else other
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    unknown = False
    for pol in selecting:
        for rule in _list(_dict(pol.get("spec")).get(rules_key)):
            rule = _dict(rule)
            peers = _list(rule.get(peers_key))
            peer_ok: bool | None = not peers
            for peer in peers:
                m = _peer_matches(_dict(peer), _ns(pol), other)
                if m is True:
                    peer_ok = True
                    break
                if m is None:
                    peer_ok = None
            ports = _list(rule.get("ports"))
            port_ok: bool | None = not ports
            for entry in ports:
                m = _port_matches(_dict(entry), port, target)
                if m is True:
                    port_ok = True
                    break
                if m is None:
                    port_ok = None
            if peer_ok is True and port_ok is True:
                return True, selecting
            if peer_ok is not False and port_ok is not False:
                unknown = True
    return (None if unknown else False), selecting


# --------------------------------------------------------------------------------------------
# the checks


def _pods_to_check(objects: dict[str, Any], seen_pods: Iterable[str]) -> list[dict[str, Any]]:
    pods = [p for p in _objs(objects, "pods") if _name(p)]
    seen = set(seen_pods or ())
    selected_by_user = bool(_dict(objects.get("manifest")).get("selector"))
    if seen and not selected_by_user:
        narrowed = [p for p in pods if _name(p) in seen]
        if narrowed:
            pods = narrowed
    if not selected_by_user:
        # inspect / must-gather folders hold every pod of a namespace: keep the JGroups ones and
        # the pods of the same workloads
        jg = [
            p
            for p in pods
            if dns_queries(p, objects)
            or kube_ping_of(p, objects)
            or any(
                ev.name.startswith(("JGROUPS_", "KC_CACHE"))
                or "jgroups" in ev.value.lower()
                or "--cache-stack" in ev.value
                for ev in _env_values(p, objects)
            )
        ]
        if jg:
            owners = {_owner_key(p, objects) for p in jg} - {None}
            pods = [p for p in pods if p in jg or _owner_key(p, objects) in owners]
    return pods


def _owner_key(pod: dict[str, Any], objects: dict[str, Any]) -> tuple[str, str] | None:
    top = top_owner(pod, objects)
    return (top[0], top[1]) if top else None


def check_objects(objects: dict[str, Any], seen_pods: list[str]) -> list[Finding]:
    """Findings from cluster objects; ``seen_pods`` are the pods whose logs were analyzed (used
    to pick the relevant pods out of an inspect/must-gather folder)."""
    if not isinstance(objects, dict):
        return []
    pods = _pods_to_check(objects, seen_pods)
    if not pods:
        return _check_collection(objects)
    findings: list[Finding] = _check_collection(objects)
    findings += _check_dns(objects, pods)
    findings += _check_kube_ping(objects, pods)
    findings += _check_network_policies(objects, pods)
    findings += _check_images(objects, pods)
    findings += _check_restarts(objects, pods)
    findings += _check_ready(objects, pods)
    return findings


def _check_collection(objects: dict[str, Any]) -> list[Finding]:
    """What ``jgview collect`` could not fetch (from the bundle manifest), so reports say so."""
    failures = [f for f in _list(_dict(objects.get("manifest")).get("failures")) if isinstance(f, dict)]
    if not failures:
        return []
    logs = [f for f in failures if f.get("kind") == "logs"]
    parts = [f"{f.get('what')}: {f.get('reason')}" for f in failures]
    summary = (
        f"{len(failures)} item{'s' if len(failures) > 1 else ''} could not be collected"
        + (f" ({len(logs)} log{'s' if len(logs) > 1 else ''})" if logs else "")
        + ": "
        + "; ".join(parts[:5])
        + (" …" if len(parts) > 5 else "")
    )
    return [
        Finding(
            id="collect-incomplete",
            severity=Severity.WARNING if logs else Severity.INFO,
            title="Some evidence could not be collected",
            summary=summary[:1000],
            evidence=[
                Evidence(source="manifest.json", line=0, text=p[:400], pod=f.get("pod"))
                for p, f in zip(parts, failures)
            ][:MAX_EVIDENCE],
            remediation=(
                "# The verdict rests on what was collected. Fix the cause (permissions, a pod that\n"
                "# is gone, a rotated previous log) and run jgview collect again into the same directory.\n"
            ),
            details={"failures": failures[:100]},
        )
    ]


def _pod_ev(objects: dict[str, Any], pod: dict[str, Any], text: str) -> Evidence:
    return Evidence(source=_src(objects, "pods"), line=0, text=text[:400], pod=_name(pod))


def _collected_namespaces(objects: dict[str, Any], pods: list[dict[str, Any]]) -> set[str]:
    """Namespaces whose Services were read, so a Service absent from them is really missing."""
    manifest = _dict(objects.get("manifest"))
    if not manifest and not _objs(objects, "services"):
        return set()
    nss = {str(n) for n in _list(manifest.get("namespaces"))} | {_ns(p) for p in pods if _ns(p)}
    failed = {
        str(f.get("namespace"))
        for f in _list(manifest.get("failures"))
        if isinstance(f, dict) and f.get("kind") == "services"
    }
    return nss - failed


def _discovery_selector(
    objects: dict[str, Any], pods: list[dict[str, Any]], svc: dict[str, Any] | None
) -> dict[str, str]:
    if svc is not None:
        sel = _dict(_dict(svc.get("spec")).get("selector"))
        if sel and all(selector_matches({"matchLabels": sel}, _labels(p)) for p in pods):
            return {str(k): str(v) for k, v in sel.items()}
    for p in pods:
        top = top_owner(p, objects)
        if top and top[2] is not None:
            spec = _dict(top[2].get("spec"))
            sel = _dict(_dict(spec.get("selector")).get("matchLabels")) or (
                _dict(spec.get("selector")) if top[0] in ("DeploymentConfig", "ReplicationController") else {}
            )
            if sel and all(isinstance(v, str) for v in sel.values()):
                return {str(k): str(v) for k, v in sel.items()}
        break
    common: dict[str, str] | None = None
    for p in pods:
        lab = {k: v for k, v in _labels(p).items() if k not in _VOLATILE_LABELS}
        common = lab if common is None else {k: v for k, v in common.items() if lab.get(k) == v}
    return common or {}


def _workload_hint(objects: dict[str, Any], pods: list[dict[str, Any]]) -> str | None:
    for p in pods:
        top = top_owner(p, objects)
        if top:
            return f"{top[0].lower()}/{top[1]}"
    return None


def _headless_service_yaml(name: str, ns: str, selector: dict[str, str]) -> str:
    return to_yaml(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": dict(selector)},
            "spec": {
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": dict(selector),
                "ports": [
                    {"name": "jgroups", "port": JGROUPS_PORT, "targetPort": JGROUPS_PORT, "protocol": "TCP"}
                ],
            },
        }
    )


def _describe_query(q: DnsQuery) -> str:
    if q.origin.startswith("env ") and " " not in q.origin[4:]:
        return f"{q.origin}={q.text}"
    return f"{q.origin}: {q.text}"


def _point_query(q: DnsQuery, new_query: str, ns: str, workload: str | None) -> str:
    """Comment lines (valid YAML) saying how to point DNS_PING at ``new_query``."""
    out = f"# then point DNS_PING at it ({q.origin}):\n"
    if q.style == "properties":
        value = re.sub(r"dns_query\s*=\s*[^\s,;\"']+", f"dns_query={new_query}", q.text)
        var = q.origin.split()[1] if q.origin.startswith("env ") else "JGROUPS_DISCOVERY_PROPERTIES"
        out += f"#   env:\n#   - name: {var}\n#     value: {value}\n"
        if workload and q.origin.startswith("env "):
            out += f"#   kubectl -n {ns} set env {workload} {var}={value}\n"
    elif q.style == "sysprop":
        out += f"#   -Djgroups.dns.query={new_query}   (replacing -Djgroups.dns.query={q.query})\n"
    else:
        out += f'#   dns_query="{new_query}"   (in the JGroups stack, replacing "{q.query}")\n'
    return out


def _endpoint_members(objects: dict[str, Any], svc: dict[str, Any]) -> tuple[set[str], set[str], bool]:
    """(pod names, IPs) the Service's Endpoints/EndpointSlices list, and whether any was found."""
    names: set[str] = set()
    ips: set[str] = set()
    found = False
    ep = _find(objects, "endpoints", _ns(svc), _name(svc))
    if ep is not None:
        found = True
        for subset in _list(ep.get("subsets")):
            for key in ("addresses", "notReadyAddresses"):
                if key == "notReadyAddresses" and not _dict(svc.get("spec")).get("publishNotReadyAddresses"):
                    continue
                for a in _list(_dict(subset).get(key)):
                    a = _dict(a)
                    if a.get("ip"):
                        ips.add(str(a["ip"]))
                    if _dict(a.get("targetRef")).get("name"):
                        names.add(str(_dict(a.get("targetRef"))["name"]))
    for sl in _objs(objects, "endpointslices"):
        if _ns(sl) != _ns(svc) or _labels(sl).get("kubernetes.io/service-name") != _name(svc):
            continue
        found = True
        for e in _list(sl.get("endpoints")):
            e = _dict(e)
            cond = _dict(e.get("conditions"))
            if cond.get("ready") is False and not _dict(svc.get("spec")).get("publishNotReadyAddresses"):
                continue
            ips.update(str(a) for a in _list(e.get("addresses")))
            if _dict(e.get("targetRef")).get("name"):
                names.add(str(_dict(e.get("targetRef"))["name"]))
    return names, ips, found


def _check_dns(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    by_service: dict[tuple[str, str], list[tuple[dict[str, Any], DnsQuery]]] = {}
    for pod in pods:
        for q in dns_queries(pod, objects)[:1]:
            target = service_of_query(q.query, _ns(pod))
            if target:
                by_service.setdefault((target[1], target[0]), []).append((pod, q))
    known_ns = _collected_namespaces(objects, pods)
    services = _objs(objects, "services")
    for (ns, name), users in sorted(by_service.items()):
        if ns not in known_ns:
            continue
        group = [p for p, _ in users]
        q0 = users[0][1]
        pod_evidence = [
            _pod_ev(objects, p, f"Pod {_ns(p)}/{_name(p)} {_describe_query(q)}") for p, q in users
        ]
        svc = next((s for s in services if _name(s) == name and _ns(s) == ns), None)
        workload = _workload_hint(objects, group)
        if svc is None:
            selector = _discovery_selector(objects, group, None)
            findings.append(
                Finding(
                    id="dns-service-missing",
                    severity=Severity.ERROR,
                    title="DNS_PING asks for a Service that does not exist",
                    summary=(
                        f"DNS_PING queries {q0.query} but Service {ns}/{name} does not exist: the name does "
                        f"not resolve, so every pod finds no members and forms a cluster of its own"
                    ),
                    evidence=pod_evidence[:MAX_EVIDENCE],
                    remediation=(
                        "# Create the headless discovery Service that dns_query names:\n"
                        + _headless_service_yaml(name, ns, selector)
                    ),
                    details={"service": name, "namespace": ns, "dns_query": q0.query},
                )
            )
            continue
        spec = _dict(svc.get("spec"))
        cluster_ip = str(spec.get("clusterIP") or "")
        svc_ev = Evidence(
            source=_src(objects, "services"),
            line=0,
            text=f"Service {ns}/{name} clusterIP={cluster_ip or '<none>'}"
            + (" (not headless)" if cluster_ip != "None" else " (headless)")
            + f" type={spec.get('type', 'ClusterIP')}",
        )
        if spec.get("type") == "ExternalName" or cluster_ip not in ("None",):
            selector = _discovery_selector(objects, group, svc)
            existing = next(
                (
                    s
                    for s in services
                    if _ns(s) == ns
                    and _dict(s.get("spec")).get("clusterIP") == "None"
                    and _dict(_dict(s.get("spec")).get("selector"))
                    and all(
                        selector_matches({"matchLabels": _dict(s["spec"]["selector"])}, _labels(p))
                        for p in group
                    )
                ),
                None,
            )
            if existing is not None:
                new_name = _name(existing)
                remediation = (
                    f"# Service {ns}/{new_name} is already headless and selects these pods.\n"
                    f"# Do not make {name} headless: it load-balances client traffic.\n"
                )
            else:
                new_name = f"{name}-discovery"
                remediation = (
                    f"# A separate headless discovery Service (keep {name} as it is for client "
                    "traffic):\n" + _headless_service_yaml(new_name, ns, selector)
                )
            remediation += _point_query(q0, f"{new_name}.{ns}.svc.cluster.local", ns, workload)
            findings.append(
                Finding(
                    id="R1-dns-service-not-headless",
                    severity=Severity.ERROR,
                    title="DNS_PING asks a ClusterIP Service instead of a headless one",
                    summary=(
                        f"DNS_PING queries {q0.query}, the Service {ns}/{name} with clusterIP {cluster_ip}, "
                        "which is not headless: DNS answers with that one virtual IP instead of the pods' "
                        "addresses, so each pod finds no members and forms a cluster of its own"
                    ),
                    evidence=([svc_ev] + pod_evidence)[:MAX_EVIDENCE],
                    remediation=remediation,
                    details={
                        "service": name,
                        "namespace": ns,
                        "cluster_ip": cluster_ip,
                        "dns_query": q0.query,
                        "suggested_service": new_name,
                        "suggested_dns_query": f"{new_name}.{ns}.svc.cluster.local",
                    },
                )
            )
            continue
        # headless: does DNS list every pod?
        if not spec.get("publishNotReadyAddresses"):
            findings.append(
                Finding(
                    id="R2-dns-service-not-ready-addresses",
                    severity=Severity.WARNING,
                    title="The discovery Service hides pods that are not Ready yet",
                    summary=(
                        f"Headless Service {ns}/{name} (dns_query {q0.query}) does not publish not-ready "
                        "addresses: a starting pod is missing from DNS until it is Ready, but its caches start "
                        "before that, so pods start as singletons and merge later"
                    ),
                    evidence=[
                        Evidence(
                            source=_src(objects, "services"),
                            line=0,
                            text=f"Service {ns}/{name} clusterIP=None publishNotReadyAddresses="
                            f"{str(bool(spec.get('publishNotReadyAddresses'))).lower()}",
                        )
                    ],
                    remediation=(
                        f"# kubectl -n {ns} patch service {name} -p "
                        '\'{"spec":{"publishNotReadyAddresses":true}}\'\n'
                        + to_yaml(
                            {
                                "apiVersion": "v1",
                                "kind": "Service",
                                "metadata": {"name": name, "namespace": ns},
                                "spec": {"publishNotReadyAddresses": True},
                            }
                        )
                    ),
                    details={"service": name, "namespace": ns},
                )
            )
        missing = _endpoints_missing(objects, svc, group)
        if missing:
            findings.append(
                Finding(
                    id="dns-endpoints-incomplete",
                    severity=Severity.WARNING,
                    title="The discovery Service's endpoints do not cover all pods",
                    summary=(
                        f"Headless Service {ns}/{name} (dns_query {q0.query}) does not list "
                        f"{', '.join(sorted(missing))}: DNS_PING cannot find "
                        f"{'that pod' if len(missing) == 1 else 'those pods'}"
                    ),
                    evidence=(
                        [
                            Evidence(
                                source=_src(objects, "endpoints"),
                                line=0,
                                text=f"Endpoints {ns}/{name} lack {m}",
                                pod=m,
                            )
                            for m in sorted(missing)
                        ]
                        + [svc_ev]
                    )[:MAX_EVIDENCE],
                    remediation=(
                        f"# The Service's selector must match the pods' labels "
                        f"(selector now: {json.dumps(_dict(spec.get('selector')))}), and\n"
                        "# publishNotReadyAddresses: true lists pods that are still starting:\n"
                        + _headless_service_yaml(name, ns, _discovery_selector(objects, group, None))
                    ),
                    details={"service": name, "namespace": ns, "missing": sorted(missing)},
                )
            )
    return findings


def _endpoints_missing(objects: dict[str, Any], svc: dict[str, Any], group: list[dict[str, Any]]) -> set[str]:
    spec = _dict(svc.get("spec"))
    names, ips, found = _endpoint_members(objects, svc)
    selector = _dict(spec.get("selector"))
    missing: set[str] = set()
    for p in group:
        pod_running = _dict(p.get("status")).get("phase") in (None, "Running", "Pending")
        if not pod_running:
            continue
        if found:
            if _name(p) not in names and (_pod_ip(p) is None or _pod_ip(p) not in ips):
                missing.add(_name(p))
        elif selector and (
            not selector_matches({"matchLabels": selector}, _labels(p))
            or (not _ready(p) and not spec.get("publishNotReadyAddresses"))
        ):
            missing.add(_name(p))
    return missing


def _check_kube_ping(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    users: dict[tuple[str, str], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for p in pods:
        kp = kube_ping_of(p, objects)
        if kp:
            users.setdefault((_ns(p), kp["service_account"]), []).append((p, kp))
    for entry in _objs(objects, "can_i"):
        if entry.get("allowed") is not False:
            continue
        sa, sa_ns = (
            str(entry.get("serviceaccount", "")),
            str(entry.get("serviceaccount_namespace") or entry.get("namespace", "")),
        )
        verb, resource = str(entry.get("verb", "list")), str(entry.get("resource", "pods"))
        ns = str(entry.get("namespace", sa_ns))
        group = users.get((sa_ns, sa), [])
        if not group and pods and not any(_name(p) in _list(entry.get("pods")) for p in pods):
            continue
        ev = [
            Evidence(
                source="objects/can_i.json",
                line=0,
                text=(
                    f"kubectl auth can-i {verb} {resource} -n {ns} "
                    f"--as=system:serviceaccount:{sa_ns}:{sa}: no"
                ),
            )
        ]
        ev += [
            _pod_ev(objects, p, f"Pod {_ns(p)}/{_name(p)} serviceAccountName={sa}; {kp['text']}")
            for p, kp in group
        ][: MAX_EVIDENCE - 1]
        role = "jgroups-kube-ping"
        remediation = (
            to_yaml(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role",
                    "metadata": {"name": role, "namespace": ns},
                    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
                }
            )
            + "---\n"
            + to_yaml(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "RoleBinding",
                    "metadata": {"name": role, "namespace": ns},
                    "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": sa_ns}],
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
                }
            )
        )
        findings.append(
            Finding(
                id="R3-kube-ping-rbac",
                severity=Severity.ERROR,
                title="KUBE_PING's ServiceAccount may not list pods",
                summary=(
                    f"KUBE_PING cannot discover members: ServiceAccount {sa_ns}/{sa} may not {verb} {resource} in "
                    f"namespace {ns} (the API answers 403), so every pod forms a cluster of its own"
                ),
                evidence=ev,
                remediation=remediation,
                details={"service_account": sa, "namespace": ns, "verb": verb, "resource": resource},
            )
        )
    return findings


def _check_network_policies(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    policies = _objs(objects, "networkpolicies")
    if not policies or not pods:
        return []
    sample = pods[:MAX_POLICY_PODS]
    pairs = [(a, b) for a in sample for b in sample if a is not b] or [(sample[0], sample[0])]
    blocked: dict[int, list[str]] = {}
    blocking: dict[str, dict[str, Any]] = {}
    directions: set[str] = set()
    for port in (JGROUPS_PORT, FD_SOCK2_PORT):
        for a, b in pairs:
            ok_in, sel_in = _direction_allows(policies, "Ingress", b, a, port)
            ok_out, sel_out = _direction_allows(policies, "Egress", a, b, port)
            if ok_in is False:
                blocked.setdefault(port, []).append(f"{_name(a)} -> {_name(b)} (ingress of {_name(b)})")
                directions.add("Ingress")
                blocking.update({f"{_ns(p)}/{_name(p)}": p for p in sel_in})
            if ok_out is False:
                blocked.setdefault(port, []).append(f"{_name(a)} -> {_name(b)} (egress of {_name(a)})")
                directions.add("Egress")
                blocking.update({f"{_ns(p)}/{_name(p)}": p for p in sel_out})
    if not blocked:
        return []
    ns = _ns(pods[0])
    selector = _discovery_selector(objects, pods, None)
    ports_txt = " and ".join(f"TCP {p}" for p in sorted(blocked))
    evidence = [
        Evidence(
            source=_src(objects, "networkpolicies"),
            line=0,
            text=f"NetworkPolicy {key} selects the pods "
            f"(policyTypes {', '.join(_policy_types(p))}) and admits no JGroups traffic on "
            f"{ports_txt}",
        )
        for key, p in sorted(blocking.items())
    ]
    for port, paths in sorted(blocked.items()):
        evidence += [
            Evidence(source=_src(objects, "networkpolicies"), line=0, text=f"TCP {port} blocked: {x}")
            for x in paths[:3]
        ]
    peer = [{"podSelector": {"matchLabels": dict(selector)}}]
    port_list = [{"protocol": "TCP", "port": JGROUPS_PORT}, {"protocol": "TCP", "port": FD_SOCK2_PORT}]
    spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(selector)}, "policyTypes": sorted(directions)}
    if "Ingress" in directions:
        spec["ingress"] = [{"from": peer, "ports": port_list}]
    if "Egress" in directions:
        spec["egress"] = [{"to": peer, "ports": port_list}]
    severity = Severity.ERROR if JGROUPS_PORT in blocked else Severity.WARNING
    return [
        Finding(
            id="R7-networkpolicy-blocks-jgroups",
            severity=severity,
            title="A NetworkPolicy blocks JGroups traffic between the pods",
            summary=(
                f"NetworkPolic{'y' if len(blocking) == 1 else 'ies'} {', '.join(sorted(blocking))} "
                f"block{'s' if len(blocking) == 1 else ''} {ports_txt} between the pods: "
                + (
                    "members may find each other but cannot join (JOIN timeouts, singletons)"
                    if JGROUPS_PORT in blocked
                    else "failure detection (FD_SOCK2) cannot connect, so view installation stalls"
                )
            ),
            evidence=evidence[:MAX_EVIDENCE],
            remediation="# Allow JGroups (7800) and FD_SOCK2 (57800) between the cluster's pods:\n"
            + to_yaml(
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": {"name": "allow-jgroups", "namespace": ns},
                    "spec": spec,
                }
            ),
            details={"ports": sorted(blocked), "policies": sorted(blocking)},
        )
    ]


def _groups_by_workload(
    objects: dict[str, Any], pods: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in pods:
        top = top_owner(p, objects)
        key = f"{top[0]} {_ns(p)}/{top[1]}" if top else f"pods {_ns(p)}"
        groups.setdefault(key, []).append(p)
    return groups


def _check_images(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    findings = []
    for workload, group in sorted(_groups_by_workload(objects, pods).items()):
        if len(group) < 2:
            continue
        per_container: dict[str, dict[str, list[str]]] = {}
        for p in group:
            for c in _containers(p):
                per_container.setdefault(str(c.get("name")), {}).setdefault(str(c.get("image")), []).append(
                    _name(p)
                )
        for cname, images in sorted(per_container.items()):
            if len(images) < 2:
                continue
            desc = "; ".join(f"{img}: {', '.join(sorted(ps))}" for img, ps in sorted(images.items()))
            findings.append(
                Finding(
                    id="R6-mixed-images",
                    severity=Severity.WARNING,
                    title="Pods of one cluster run different images",
                    summary=(
                        f"Pods of {workload} run {len(images)} different images in container {cname} ({desc}): "
                        "old and new releases clustering together can reject each other's messages"
                    ),
                    evidence=[
                        _pod_ev(
                            objects,
                            p,
                            f"Pod {_ns(p)}/{_name(p)} container {cname} image "
                            f"{next((c.get('image') for c in _containers(p) if c.get('name') == cname), '?')}",
                        )
                        for p in group
                    ][:MAX_EVIDENCE],
                    remediation=(
                        "# Finish or roll back the rollout so every pod runs one image; for version changes "
                        "use\n# a Recreate strategy (or scale to 0 first):\n"
                        + to_yaml({"spec": {"strategy": {"type": "Recreate"}}})
                    ),
                    details={
                        "workload": workload,
                        "container": cname,
                        "images": {k: sorted(v) for k, v in images.items()},
                    },
                )
            )
    return findings


def _events_for(objects: dict[str, Any], pod: dict[str, Any], reasons: tuple[str, ...]) -> list[Evidence]:
    out = []
    for e in _objs(objects, "events"):
        inv = _dict(e.get("involvedObject") or e.get("regarding"))
        if inv.get("kind") != "Pod" or inv.get("name") != _name(pod):
            continue
        if inv.get("namespace") and _ns(pod) and inv.get("namespace") != _ns(pod):
            continue
        if str(e.get("reason")) not in reasons:
            continue
        count = e.get("count") or _dict(e.get("series")).get("count")
        message = e.get("message") or e.get("note") or ""
        text = (
            f"Event {e.get('type', '')} {e.get('reason')} {_ns(pod)}/{_name(pod)}"
            f"{f' (x{count})' if count else ''}: {message}"
        )
        out.append(Evidence(source=_src(objects, "events"), line=0, pod=_name(pod), text=text[:400]))
    return out


def _check_restarts(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    evidence: list[Evidence] = []
    parts: list[str] = []
    oom = False
    for p in pods:
        for st in _list(_dict(p.get("status")).get("containerStatuses")):
            st = _dict(st)
            restarts = st.get("restartCount") or 0
            last = _dict(_dict(st.get("lastState")).get("terminated"))
            if not isinstance(restarts, int) or restarts <= 0:
                continue
            reason = str(last.get("reason") or "")
            oom = oom or reason == "OOMKilled"
            desc = f"{_name(p)}/{st.get('name')} restarted {restarts}x"
            if reason:
                desc += f", last terminated {reason}"
                if last.get("exitCode") is not None:
                    desc += f" (exit {last.get('exitCode')})"
                if last.get("finishedAt"):
                    desc += f" at {last.get('finishedAt')}"
            parts.append(desc)
            evidence.append(_pod_ev(objects, p, f"Pod {_ns(p)}/{desc}"))
            evidence += _events_for(objects, p, ("BackOff", "OOMKilling", "Killing", "Unhealthy", "Failed"))[
                :3
            ]
    if not parts:
        return []
    return [
        Finding(
            id="R14-restarts-oomkilled",
            severity=Severity.WARNING,
            title="Containers restarted" + (" after OOMKilled" if oom else ""),
            summary=(
                "; ".join(parts) + ": each restart is a new JGroups member (read the previous logs, "
                "collected as *.previous.log)"
            ),
            evidence=evidence[:MAX_EVIDENCE],
            remediation=(
                "# Give the JVM room: raise the memory limit or lower the heap share, and make probes\n"
                "# tolerate a slow start, e.g.:\n"
                + to_yaml(
                    {
                        "resources": {"limits": {"memory": "2Gi"}},
                        "env": [{"name": "JAVA_OPTS_APPEND", "value": "-XX:MaxRAMPercentage=70"}],
                    }
                )
                if oom
                else "# Read the previous logs (*.previous.log in the bundle) for why the container "
                "stopped;\n# check liveness probe timeouts and resource limits.\n"
            ),
            details={"oomkilled": oom, "restarts": parts},
        )
    ]


def _check_ready(objects: dict[str, Any], pods: list[dict[str, Any]]) -> list[Finding]:
    not_ready = [
        p
        for p in pods
        if _dict(p.get("status")).get("phase") in (None, "Running", "Pending") and not _ready(p)
    ]
    if not not_ready:
        return []
    evidence: list[Evidence] = []
    for p in not_ready:
        status = _dict(p.get("status"))
        evidence.append(
            _pod_ev(objects, p, f"Pod {_ns(p)}/{_name(p)} phase={status.get('phase')} Ready=False")
        )
        evidence += _events_for(objects, p, ("Unhealthy", "BackOff", "FailedScheduling", "Failed"))[:3]
    names = ", ".join(_name(p) for p in not_ready)
    return [
        Finding(
            id="pod-not-ready",
            severity=Severity.WARNING,
            title="Pods are not Ready",
            summary=(
                f"{len(not_ready)} pod{'s are' if len(not_ready) > 1 else ' is'} not Ready: {names}; a pod "
                "that is not Ready is missing from a discovery Service that does not publish not-ready "
                "addresses, and receives no traffic"
            ),
            evidence=evidence[:MAX_EVIDENCE],
            remediation=(
                "# Look at the readiness probe and the pod's events:\n"
                + "".join(f"#   kubectl -n {_ns(p)} describe pod {_name(p)}\n" for p in not_ready[:5])
            ),
            details={"pods": [_name(p) for p in not_ready]},
        )
    ]
