"""The findings engine: every rule of reference/diagnostics.md (R1–R17) and the evidence advice,
each with a positive and a negative case.

Most tests build events by hand (like tests/test_analysis.py) and run them through
``pipeline.analyze_sources``; the last ones write small logs with real wordings (messages.md)
and run the whole pipeline over them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from jgview.history import SourceEvents
from jgview.models import Event, Finding, Kind, Severity, SourceInfo, Verdict, View
from jgview.pipeline import AnalyzeOptions, analyze_sources

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


def at(sec: float) -> datetime:
    return T0 + timedelta(seconds=sec)


def view(creator: str, vid: int, *members: str) -> View:
    return View(creator=creator, id=vid, members=tuple(members), size=len(members))


class Log:
    """One pod's source of hand-made events."""

    def __init__(self, pod: str, *, previous: bool = False, end: float | None = None, lines: int = 100,
                 time_only: bool = False, source: str | None = None):
        self.pod = pod
        self.events: list[Event] = []
        self.previous = previous
        self.end = end
        self.lines = lines
        self.time_only = time_only
        self.name = source or (f"{pod}.previous.log" if previous else f"{pod}.log")
        self.n = 0

    def ev(self, kind: Kind, t: float, text: str | None = None, **kw: Any) -> "Log":
        self.n += 1
        tm = at(t)
        tod = tm.strftime("%H:%M:%S,%f")[:12]
        self.events.append(
            Event(kind=kind, source=self.name, lineno=self.n, text=text or f"{tod} {kind.value} line",
                  time=None if self.time_only else tm, time_of_day=tod if self.time_only else None, pod=self.pod, **kw)
        )
        return self

    # ---- shorthands with real wordings
    def start(self, t: float, channel: str = "ISPN") -> "Log":
        return self.ev(Kind.CHANNEL_START, t, f"ISPN000078: Starting JGroups channel `{channel}`", channel=channel)

    def addr(self, t: float, name: str, phys: str | None = None, channel: str = "ISPN") -> "Log":
        return self.ev(
            Kind.LOCAL_ADDRESS, t, f"ISPN000079: Channel `{channel}` local address is `{name}`, physical addresses are `[{phys}]`",
            channel=channel, subject=name, node=name, detail={"physical": [phys]} if phys else {},
        )

    def created(self, t: float, name: str) -> "Log":
        return self.ev(Kind.CREATED_CLUSTER, t,
                       f"{name}: no members discovered after 2003 ms: creating cluster as coordinator", node=name)

    def view(self, t: float, v: View, channel: str = "ISPN") -> "Log":
        return self.ev(Kind.VIEW, t, f"ISPN000094: Received new cluster view for channel {channel}: {v.view_id}",
                       channel=channel, view=v)

    def merged(self, t: float, v: View, *subgroups: View, channel: str = "ISPN") -> "Log":
        return self.ev(Kind.MERGED_VIEW, t, f"ISPN000093: Received new, MERGED cluster view for channel {channel}: "
                       f"MergeView::{v.view_id}", channel=channel, view=v, subgroups=subgroups)

    def stop(self, t: float, channel: str = "ISPN") -> "Log":
        return self.ev(Kind.CHANNEL_STOP, t, f"ISPN000080: Disconnecting JGroups channel `{channel}`", channel=channel)

    def source(self) -> SourceEvents:
        times = [e.time for e in self.events if e.time] or [T0]
        last = at(self.end) if self.end is not None else max(times)
        info = SourceInfo(name=self.name, first_time=None if self.time_only else T0,
                          last_time=None if self.time_only else last, lines=self.lines, time_only=self.time_only,
                          previous=self.previous, pods=[self.pod])
        return SourceEvents(info=info, events=self.events, pod_hint=self.pod, strong_hint=True, previous=self.previous)


def run(*logs: Log, expect: int | None = None, objects: dict | None = None):
    return analyze_sources([lg.source() for lg in logs], AnalyzeOptions(expect=expect, objects=objects))


def ids(a, *sev: Severity) -> list[str]:
    return [f.id for f in a.findings if not sev or f.severity in sev]


def find(a, prefix: str) -> list[Finding]:
    return [f for f in a.findings if f.id.startswith(prefix)]


def one(a, prefix: str) -> Finding:
    fs = find(a, prefix)
    assert len(fs) == 1, [(f.id, f.summary) for f in a.findings]
    return fs[0]


def alarms(a) -> list[str]:
    """Ids of error/warning findings (what truth.json's ``no_findings`` forbids)."""
    return ids(a, Severity.ERROR, Severity.WARNING)


# ---------------------------------------------------------------------------------------------
# scenarios reused by several rules


def seed_split() -> tuple[Log, Log]:
    a = Log("keycloak-demo-1-n8gpd", end=600).created(0, "keycloak-demo-1-n8gpd").start(1, "ejb")
    a.view(1, view("keycloak-demo-1-n8gpd", 0, "keycloak-demo-1-n8gpd"), "ejb")
    b = Log("keycloak-demo-1-j6p5h", end=600).created(240, "keycloak-demo-1-j6p5h").start(241, "ejb")
    b.view(241, view("keycloak-demo-1-j6p5h", 0, "keycloak-demo-1-j6p5h"), "ejb")
    return a, b


def three_pods(prefix: str = "keycloak") -> tuple[list[str], list[Log]]:
    names = [f"{prefix}-0-100", f"{prefix}-1-200", f"{prefix}-2-300"]
    logs = [Log(f"{prefix}-{i}") for i in range(3)]
    logs[0].start(0).addr(0, names[0], "10.0.0.10:7800").created(0, names[0]).view(0, view(names[0], 0, names[0]))
    v1, v2 = view(names[0], 1, *names[:2]), view(names[0], 2, *names)
    logs[0].view(10, v1).view(20, v2)
    logs[1].start(10).addr(10, names[1], "10.0.0.11:7800").view(10, v1).view(20, v2)
    logs[2].start(20).addr(20, names[2], "10.0.0.12:7800").view(20, v2)
    return names, logs


def partition_then_merge(heal: bool = True) -> tuple[list[str], list[Log]]:
    names, logs = three_pods()
    a, b, c = names
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    logs[2].view(101, view(c, 3, c))
    if heal:
        merge = view(a, 4, a, b, c)
        for lg in logs:
            lg.merged(140, merge, view(a, 3, a, b), view(c, 3, c))
    for lg in logs:
        lg.end = 300
    return names, logs


# ---------------------------------------------------------------------------------------------
# R1: DNS_PING on a ClusterIP Service (the seed)


def test_r1_seed_split_is_error_naming_both_pods_and_the_fix():
    a = run(*seed_split())
    f = one(a, "R1-")
    assert f.id == "R1-dns-ping-clusterip" and f.severity is Severity.ERROR
    assert f.summary.startswith(
        "2 pods (keycloak-demo-1-n8gpd, keycloak-demo-1-j6p5h) each created their own cluster as coordinator; "
        "discovery found no members"
    )
    # the most telling evidence first: each pod's "creating cluster as coordinator" line
    assert [e.pod for e in f.evidence[:2]] == ["keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"]
    assert all("creating cluster as coordinator" in e.text for e in f.evidence[:2])
    assert len(f.evidence) <= 6
    r = f.remediation
    assert "clusterIP: None" in r and "publishNotReadyAddresses: true" in r
    assert "dns_query=keycloak-demo-discovery.<namespace>.svc.cluster.local" in r  # WildFly channel ejb
    assert "do not make the load-balanced Service headless" in r
    # the same signature's other causes and what tells them apart
    for other in ("KUBE_PING", "403", "JOIN(x) sent to y timed out", "istio-proxy", "entries collected from DNS"):
        assert other in r, other
    assert "org.jgroups.protocols.dns.DNS_PING" in r
    assert a.exit_code == 1


def test_r1_fills_namespace_labels_and_shows_the_clusterip_from_objects():
    a_log, b_log = seed_split()
    objects = {
        "pods": [
            {"metadata": {"name": p, "namespace": "demo", "labels": {"deploymentconfig": "keycloak-demo",
                                                                       "deployment": "keycloak-demo-1"}},
             "spec": {"containers": [{"name": "keycloak", "env": [
                 {"name": "JGROUPS_DISCOVERY_PROPERTIES", "value": "dns_query=keycloak-demo.demo.svc.cluster.local"}]}]}}
            for p in ("keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h")
        ],
        "services": [{"metadata": {"name": "keycloak-demo", "namespace": "demo"}, "spec": {"clusterIP": "172.25.250.178"}}],
        "deploymentconfigs": [{"metadata": {"name": "keycloak-demo"}, "spec": {"selector": {"deploymentconfig": "keycloak-demo"}}}],
    }
    f = one(run(a_log, b_log, objects=objects), "R1-dns-ping-clusterip")
    assert "namespace: demo\n" in f.remediation and "<namespace>" not in f.remediation
    assert "    deploymentconfig: keycloak-demo\n" in f.remediation
    assert "deployment: keycloak-demo-1" not in f.remediation  # per-rollout label, not a selector
    assert "dns_query=keycloak-demo-discovery.demo.svc.cluster.local" in f.remediation
    assert "172.25.250.178" in f.summary
    assert any("clusterIP 172.25.250.178" in e.text for e in f.evidence)


def test_r1_dns_debug_naming_one_foreign_ip_confirms_it():
    a, b = seed_split()
    a.ev(Kind.DNS_ENTRIES, 0.5, "keycloak-demo-1-n8gpd: entries collected from DNS (in 3 ms): [172.30.12.7:0]",
         detail={"entries": ["172.30.12.7:0"], "protocol": "DNS_PING"}, level="DEBUG")
    a.addr(1, "keycloak-demo-1-n8gpd", "10.128.2.5:7600", "ejb")
    f = one(run(a, b), "R1-")
    assert "one address that is no pod's" in f.summary
    assert any("entries collected from DNS" in e.text for e in f.evidence)


def test_r1_healed_by_restart_is_a_warning():
    a, b = seed_split()
    a.end = b.end = None
    b.stop(300, "ejb")
    b2 = Log("keycloak-demo-1-j6p5h", source="keycloak-demo-1-j6p5h.2.log")
    b2.start(400, "ejb").view(400, view("keycloak-demo-1-n8gpd", 1, "keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"), "ejb")
    a.view(400, view("keycloak-demo-1-n8gpd", 1, "keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"), "ejb")
    res = run(a, b, b2)
    assert res.verdict is not Verdict.SPLIT
    f = one(res, "R1-")
    assert f.severity is Severity.WARNING and "the split ended" in f.summary


def test_r1_one_pod_alone_while_the_others_formed_a_cluster():
    names, logs = three_pods()
    d = Log("keycloak-3", end=300).start(100).addr(100, "keycloak-3-400", "10.0.0.14:7800").created(102, "keycloak-3-400")
    for lg in logs:
        lg.end = 300
    a = run(*logs, d)
    f = one(a, "R1-")
    assert f.severity is Severity.ERROR
    assert f.summary.startswith("keycloak-3 created its own cluster as coordinator at 10:01:42 while keycloak-0, keycloak-1,"
                                " keycloak-2 were running; discovery found no members")
    assert f.evidence[0].pod == "keycloak-3"


@pytest.mark.parametrize("case", ["single", "normal-join", "coordinator-change", "duplicates"])
def test_r1_no_crying_wolf(case):
    if case == "single":
        logs = [Log("keycloak-0").start(0).created(0, "keycloak-0-1").view(0, view("keycloak-0-1", 0, "keycloak-0-1"))]
    elif case == "normal-join":
        logs = three_pods()[1]
    elif case == "coordinator-change":
        names, logs = three_pods()
        a, b, c = names
        logs[0].stop(100)
        logs[1].view(101, view(b, 3, b, c))
        logs[2].view(101, view(b, 3, b, c))
    else:
        v = view("keycloak-0-1", 0, "keycloak-0-1")
        logs = [Log("keycloak-0").start(0).view(0, v).view(0.001, v).view(0.002, v)]
    a = run(*logs)
    assert alarms(a) == [], [(f.id, f.summary) for f in a.findings]
    assert a.exit_code == 0


def test_r1_defers_to_a_more_specific_cause():
    a, b = seed_split()
    a.ev(Kind.DISCOVERY_ERROR, 0.2, "failed getting JSON response from Kubernetes ... HTTP response code: 403",
         detail={"protocol": "KUBE_PING", "http_status": 403, "namespace": "demo", "labels": "app=kc"})
    res = run(a, b)
    assert not find(res, "R1-")
    assert one(res, "R3-").severity is Severity.ERROR


# ---------------------------------------------------------------------------------------------
# R2: starting pods missing from DNS


def _startup_singletons_merged():
    names = ["keycloak-0-50123", "keycloak-1-22871", "keycloak-2-61904"]
    logs = [Log(f"keycloak-{i}") for i in range(3)]
    for i, (lg, n) in enumerate(zip(logs, names)):
        lg.start(i).addr(i, n, f"10.0.0.{i + 10}:7800")
        lg.ev(Kind.DNS_ENTRIES, i + 0.5, f"{n}: no entries collected from DNS (in 3 ms)", level="DEBUG",
              detail={"protocol": "DNS_PING", "entries": ()})
        lg.created(i + 2, n)
    logs[0].ev(Kind.NO_PHYSICAL_ADDRESS, 70, f"JGRP000032: {names[0]}: no physical address for {names[2]}, dropping message",
               node=names[0], subject=names[2])
    merge = view(names[1], 1, names[1], names[0], names[2])
    subs = tuple(view(n, 0, n) for n in names)
    for lg in logs:
        lg.merged(100, merge, *subs)
    return logs


def test_r2_singletons_at_startup_merged_later():
    a = run(*_startup_singletons_merged())
    assert a.verdict is Verdict.HEALED
    f = one(a, "R2-")
    assert f.id == "R2-dns-not-ready" and f.severity is Severity.WARNING
    assert "merged back" in f.summary and "[keycloak-1-22871|1]" in f.summary
    assert "publishNotReadyAddresses: true" in f.remediation and "networkaddress.cache.ttl" in f.remediation
    assert any("JGRP000032" in e.text for e in f.evidence)
    assert not find(a, "R1-") and not find(a, "R11-") and not find(a, "R7-")
    assert a.exit_code == 0


def test_r2_not_for_a_normal_startup():
    assert not find(run(*three_pods()[1]), "R2-")


# ---------------------------------------------------------------------------------------------
# R3 / R4: KUBE_PING


def _kube_403(log: Log, t: float, ns: str = "sso") -> Log:
    return log.ev(
        Kind.DISCOVERY_ERROR, t,
        "failed getting JSON response from Kubernetes Client[masterUrl=https://172.30.0.1:443/api/v1, ...] for cluster "
        f"[ejb], namespace [{ns}], labels [application=sso]; encountered [java.lang.Exception: 3 attempt(s) ... "
        "Server returned HTTP response code: 403 for URL: ...]",
        detail={"protocol": "KUBE_PING", "http_status": 403, "namespace": ns, "labels": "application=sso"},
        logger="org.jgroups.protocols.kubernetes.KUBE_PING",
    )


def test_r3_kube_ping_403_role_and_binding():
    a = _kube_403(Log("keycloak-0", end=900), 0).created(1, "keycloak-0").start(2, "ejb")
    b = _kube_403(Log("keycloak-1", end=900), 80).created(81, "keycloak-1").start(82, "ejb")
    res = run(a, b)
    f = one(res, "R3-")
    assert f.id == "R3-kube-ping-rbac" and f.severity is Severity.ERROR
    assert "HTTP 403" in f.summary and "namespace [sso]" in f.summary and "keycloak-0, keycloak-1" in f.summary
    r = f.remediation
    assert "kind: Role\n" in r and "kind: RoleBinding\n" in r and 'verbs: ["get", "list"]' in r
    assert "namespace: sso\n" in r and "kubectl auth can-i list pods -n sso" in r
    assert f.evidence[0].text.startswith("failed getting JSON response")
    assert not find(res, "R1-") and not find(res, "R4-")


def test_r3_transient_403_then_clustered_is_a_warning():
    names, logs = three_pods()
    _kube_403(logs[1], 9)
    f = one(run(*logs), "R3-")
    assert f.severity is Severity.WARNING and "clustered anyway" in f.summary


def test_r3_r4_silent_on_a_healthy_kube_ping_cluster():
    names, logs = three_pods()
    for lg in logs:
        lg.ev(Kind.DISCOVERY_TARGETS, 0, "namespace sso set; clustering enabled", detail={"protocol": "KUBE_PING", "namespace": "sso"},
              logger="org.jgroups.protocols.kubernetes.KUBE_PING")
    a = run(*logs)
    assert not find(a, "R3-") and not find(a, "R4-") and alarms(a) == []


def test_r4_namespace_not_set():
    logs = []
    for p in ("sso-1-7xk2p", "sso-1-q9zvd"):
        lg = Log(p, end=900).ev(Kind.DISCOVERY_ERROR, 0, "namespace not set; clustering disabled",
                                detail={"protocol": "KUBE_PING", "reason": "namespace not set; clustering disabled"})
        logs.append(lg.created(3 + len(logs), p).start(4 + len(logs), "ejb"))
    a = run(*logs)
    f = one(a, "R4-")
    assert f.severity is Severity.ERROR and "namespace not set; clustering disabled" in f.summary
    assert "fieldPath: metadata.namespace" in f.remediation and "KUBERNETES_NAMESPACE" in f.remediation
    assert not find(a, "R1-") and not find(a, "R3-")


def test_r4_kube_ping_in_use_with_silent_singletons():
    logs = []
    for i, p in enumerate(("kc-0", "kc-1")):
        lg = Log(p, end=900).ev(Kind.DISCOVERY_TARGETS, i * 50, "namespace sso set; clustering enabled",
                                detail={"protocol": "KUBE_PING", "namespace": "sso"})
        logs.append(lg.created(i * 50 + 3, f"{p}-{i}"))
    a = run(*logs)
    f = one(a, "R4-")
    assert f.severity is Severity.ERROR and "KUBE_PING is the discovery protocol" in f.summary
    assert not find(a, "R1-")


# ---------------------------------------------------------------------------------------------
# R5 / R6 / R10: traffic that does not belong


def test_r5_messages_of_another_cluster():
    names, logs = three_pods()
    logs[0].ev(Kind.DIFFERENT_CLUSTER, 50, "JGRP000012: discarded message from different cluster staging (our cluster is ISPN). Sender was app-1-7",
               detail={"cluster": "staging", "our_cluster": "ISPN"}, subject="app-1-7")
    f = one(run(*logs), "R5-")
    assert f.severity is Severity.WARNING and "'staging'" in f.summary and "app-1-7" in f.summary
    assert "unique" in f.remediation


def test_r5_not_for_one_application_with_short_pod_names():
    na, nb = "node-a", "node-b"
    v1 = view(na, 1, na, nb)
    a = Log(na).start(0).addr(0, na).created(0, na).view(0, view(na, 0, na)).view(5, v1)
    b = Log(nb).start(5).addr(5, nb).view(5, v1)
    assert not find(run(a, b), "R5-")


def test_r5_two_applications_in_one_view():
    v = view("keycloak-0-1", 1, "keycloak-0-1", "infinispan-0-2")
    a = Log("keycloak-0").start(0).addr(0, "keycloak-0-1").view(0, v)
    b = Log("infinispan-0").start(0).addr(0, "infinispan-0-2").view(0, v)
    f = one(run(a, b), "R5-")
    assert "infinispan" in f.summary and "keycloak" in f.summary


def test_r6_mixed_versions():
    names, logs = three_pods()
    logs[2].ev(Kind.VERSION_MISMATCH, 30, "JGRP000010: packet from 10.0.0.9:7800 has different version (4.2.18) than ours (5.2.28); packet is discarded",
               detail={"version": "4.2.18", "ours": "5.2.28"}, subject="10.0.0.9:7800")
    a = run(*logs)
    f = one(a, "R6-")
    assert f.severity is Severity.WARNING and "5.2.28" in f.summary and "4.2.18" in f.summary
    assert "Recreate" in f.remediation


def test_r6_r10_silent_without_their_messages():
    a = run(*three_pods()[1])
    assert not find(a, "R6-") and not find(a, "R10-")


def test_r10_foreign_connections_with_cookie_mismatch():
    names, logs = three_pods()
    for i in range(2):
        logs[0].ev(Kind.ACCEPT_FAILED, 40 + i,
                   "JGRP000006: failed accepting connection from peer Socket[addr=/10.1.2.9,port=51234,localport=7800]: "
                   "java.io.IOException: BaseServer.TcpConnection.readPeerAddress(): cookie sent by /10.1.2.9:51234 does not match own cookie")
    f = one(run(*logs), "R10-")
    assert f.severity is Severity.WARNING and "10.1.2.9" in f.summary and "cookie" in f.summary
    assert "tcpSocket" in f.remediation


def test_r10_single_eof_is_not_foreign_traffic():
    names, logs = three_pods()
    logs[0].ev(Kind.ACCEPT_FAILED, 40, "JGRP000006: kc-0-1: failed accepting connection from peer Socket[addr=/10.0.0.11]: java.io.EOFException")
    assert not find(run(*logs), "R10-")


# ---------------------------------------------------------------------------------------------
# R7 / R8 / R9: the network between the pods


def test_r7_join_timeouts_then_singleton_is_error():
    a = Log("keycloak-0", end=600).start(0).addr(0, "keycloak-0-20551", "10.0.0.10:7800").created(0, "keycloak-0-20551")
    b = Log("keycloak-1", end=600).start(5).addr(5, "keycloak-1-43218", "10.0.0.11:7800")
    for i in range(3):
        b.ev(Kind.JOIN_TIMEOUT, 7 + 2 * i, f"keycloak-1-43218: JOIN(keycloak-1-43218) sent to keycloak-0-20551 timed out (after 2000 ms), on try {i + 1}",
             node="keycloak-1-43218", subject="keycloak-0-20551")
    b.ev(Kind.SEND_FAILED, 8, "keycloak-1-43218: failed sending message to keycloak-0-20551: java.net.SocketTimeoutException: Connect timed out",
         subject="keycloak-0-20551", detail={"reason": "java.net.SocketTimeoutException: Connect timed out"})
    b.ev(Kind.SINGLETON, 20, "keycloak-1-43218: too many JOIN attempts (10): becoming singleton", node="keycloak-1-43218")
    res = run(a, b)
    f = one(res, "R7-")
    assert f.id == "R7-port-blocked" and f.severity is Severity.ERROR
    assert "keycloak-0-20551" in f.summary and "3 JOINs timed out" in f.summary
    assert "kind: NetworkPolicy" in f.remediation and "port: 7800" in f.remediation and "port: 57800" in f.remediation
    assert "traffic.sidecar.istio.io/excludeInboundPorts" in f.remediation
    assert "10.0.0.10" in f.remediation  # the peer's IP in the connectivity check
    assert not find(res, "R1-")


def test_r7_not_for_send_failures_during_a_partition():
    names, logs = partition_then_merge()
    for t in (95, 97):
        logs[0].ev(Kind.SEND_FAILED, t, f"{names[0]}: failed sending message to {names[2]}: java.net.ConnectException: Connection refused",
                   subject=names[2], detail={"reason": "java.net.ConnectException: Connection refused"})
    a = run(*logs)
    assert not [f for f in find(a, "R7-") if f.severity is not Severity.INFO]
    assert one(a, "R11-").severity is Severity.WARNING


def test_r7_single_transient_join_timeout_is_only_information():
    names, logs = three_pods()
    logs[2].ev(Kind.JOIN_TIMEOUT, 19, f"{names[2]}: JOIN({names[2]}) sent to {names[0]} timed out (after 2000 ms), on try 1",
               node=names[2], subject=names[0])
    a = run(*logs)
    assert [f.severity for f in find(a, "R7-")] == [Severity.INFO]
    assert alarms(a) == []


def test_r8_ack_timeouts_missing_a_live_member():
    names, logs = three_pods()
    logs[0].ev(Kind.ACK_TIMEOUT, 21, f"{names[0]}: failed to collect all ACKs (expected=2) for view [{names[0]}|2] after 2000 ms, missing 1 ACKs from {names[2]}",
               detail={"expected": 2, "missing": 1, "missing_from": [names[2]], "view_id": f"[{names[0]}|2]"})
    f = one(run(*logs), "R8-")
    assert f.severity is Severity.WARNING and names[2] in f.summary and "57800" in f.summary


def test_r8_not_when_the_missing_member_had_crashed():
    names, logs = three_pods()
    a, b, c = names
    logs[2].end = 60  # keycloak-2's log ends: it crashed
    logs[0].ev(Kind.ACK_TIMEOUT, 61, f"{a}: failed to collect all ACKs (expected=2) for view [{a}|3] after 2000 ms, missing 1 ACKs from {c}",
               detail={"missing_from": [c], "view_id": f"[{a}|3]"})
    logs[0].view(61, view(a, 3, a, b))
    logs[1].view(61, view(a, 3, a, b))
    assert not find(run(*logs), "R8-")


def test_r9_loopback_bind_keeps_pods_apart():
    logs = []
    for i in range(2):
        n = f"infinispan-{i}-{i + 1}"
        logs.append(Log(f"infinispan-{i}", end=600).start(i).addr(i, n, "127.0.0.1:7800").created(i + 1, n))
    a = run(*logs)
    f = one(a, "R9-")
    assert f.severity is Severity.ERROR and "127.0.0.1:7800" in f.summary
    assert "-Djgroups.bind.address=$(POD_IP)" in f.remediation and "fieldPath: status.podIP" in f.remediation
    assert not find(a, "R1-") and not find(a, "R7-")


def test_r9_mixed_address_families():
    names, logs = three_pods()
    logs[2].addr(20, names[2], "fd00:0:0:0:0:0:0:12:7800")
    f = one(run(*logs), "R9-")
    assert "IPv6" in f.summary and "IPv4" in f.summary


def test_r9_silent_with_pod_addresses():
    assert not find(run(*three_pods()[1]), "R9-")


# ---------------------------------------------------------------------------------------------
# R11 / R12 / R14: membership over time


def test_r11_partition_then_merge_is_a_warning():
    names, logs = partition_then_merge()
    a = run(*logs)
    f = one(a, "R11-")
    assert f.id == "R11-partition" and f.severity is Severity.WARNING
    assert "keycloak-0, keycloak-1 | keycloak-2" in f.summary and "40 s" in f.summary and f"[{names[0]}|4]" in f.summary
    assert "availability --mode=AVAILABLE" in f.remediation
    assert not find(a, "R1-") and not find(a, "R2-")


def test_r11_open_partition_is_an_error():
    names, logs = partition_then_merge(heal=False)
    f = one(run(*logs), "R11-")
    assert f.severity is Severity.ERROR and "still apart" in f.summary


def test_r11_degraded_mode_not_cleared_is_an_error():
    names, logs = three_pods()
    a, b, c = names
    logs[0].ev(Kind.LOST_MEMBERS, 100, "[Context=sessions] ISPN000318: Lost at least half of the stable members, assuming a network split",
               members=(a,), lost=(b, c))
    logs[0].ev(Kind.AVAILABILITY, 100, "[Context=sessions] ISPN100011: Entering availability mode DEGRADED_MODE, topology id 11",
               detail={"mode": "DEGRADED_MODE"})
    for lg in logs:
        lg.end = 500
    f = one(run(*logs), "R11-")
    assert f.severity is Severity.ERROR and "DEGRADED_MODE" in f.summary
    assert any("ISPN000318" in e.text for e in f.evidence)


def _rolling_restart(crash: bool = False) -> list[Log]:
    names, logs = three_pods()
    a, b, c = names
    prev = logs[2]
    prev.previous, prev.name = True, "keycloak-2.previous.log"
    for e in prev.events:
        e.source = prev.name
    if not crash:
        prev.stop(100.05)  # stops a few ms after the others installed the leave view
    prev.end = 100.05
    logs[0].view(100, view(a, 3, a, b))
    logs[1].view(100, view(a, 3, a, b))
    c2 = "keycloak-2-999"
    cur = Log("keycloak-2").start(130).addr(130, c2, "10.0.0.13:7800").view(131, view(a, 4, a, b, c2))
    logs[0].view(131, view(a, 4, a, b, c2))
    logs[1].view(131, view(a, 4, a, b, c2))
    return logs + [cur]


def test_rolling_restart_raises_no_alarm():
    a = run(*_rolling_restart())
    assert alarms(a) == [], [(f.id, f.summary) for f in a.findings]
    info = one(a, "R12-rolling-restart")
    assert info.severity is Severity.INFO and "keycloak-2" in info.summary


def test_r12_member_left_during_a_rebalance():
    names, logs = three_pods()
    a, b, c = names
    logs[0].ev(Kind.TOPOLOGY, 30, "[Context=sessions] ISPN100002: Starting rebalance with members [a, b, c], phase READ_OLD_WRITE_ALL, topology id 5",
               members=tuple(names), detail={"event": "rebalance_start", "cache": "sessions", "members": list(names)})
    logs[0].ev(Kind.NODE_LEFT, 31, f"ISPN100001: Node {c} left the cluster", subject=c)
    logs[0].ev(Kind.DATA_LOST, 31.5, f"[Context=sessions] ISPN000313: Lost data because of abrupt leavers [{c}]",
               lost=(c,), detail={"ispn_id": "313", "cache": "sessions"})
    f = one(run(*logs), "R12-rolling-churn")
    assert f.severity is Severity.WARNING and "ISPN100002 without ISPN100010" in f.summary and "ISPN000313" in f.summary


def test_r12_rebalance_finished_before_leave_is_fine():
    names, logs = three_pods()
    a, b, c = names
    logs[0].ev(Kind.TOPOLOGY, 30, "[Context=sessions] ISPN100002: Starting rebalance with members [...]",
               members=tuple(names), detail={"event": "rebalance_start", "cache": "sessions"})
    logs[0].ev(Kind.TOPOLOGY, 30.5, "[Context=sessions] ISPN100010: Finished rebalance with members [...]",
               members=tuple(names), detail={"event": "rebalance_finished", "cache": "sessions"})
    logs[0].ev(Kind.NODE_LEFT, 31, f"ISPN100001: Node {c} left the cluster", subject=c)
    assert not find(run(*logs), "R12-rolling-churn")


def test_r14_previous_log_ending_without_disconnect():
    a = run(*_rolling_restart(crash=True))
    f = one(a, "R14-")
    assert f.severity is Severity.WARNING and "keycloak-2" in f.summary
    assert "keycloak-2-300 → keycloak-2-999" in f.summary and "--previous" in f.remediation


def test_r14_adds_oomkilled_from_objects_to_a_crash_in_the_logs():
    objects = {"pods": [{"metadata": {"name": "keycloak-2"}, "status": {"containerStatuses": [
        {"restartCount": 4, "lastState": {"terminated": {"reason": "OOMKilled"}}}]}}]}
    f = one(run(*_rolling_restart(crash=True), objects=objects), "R14-restart-churn")
    assert "OOMKilled" in f.summary and "restartCount 4" in f.summary


def test_r14_not_for_wildfly_logging_the_channel_start_per_container():
    a = Log("keycloak-demo-1-mvrfg").created(0, "keycloak-demo-1-mvrfg")
    for t in (1, 2):
        a.start(t, "ejb").view(t, view("keycloak-demo-1-mvrfg", 0, "keycloak-demo-1-mvrfg"), "ejb").addr(t, "keycloak-demo-1-mvrfg", channel="ejb")
    assert not find(run(a), "R14-")


# ---------------------------------------------------------------------------------------------
# R13 / R15: discovery state and configuration


def test_r13_join_to_a_pod_that_no_longer_exists():
    names, logs = three_pods()
    a, b, c = names
    logs[2].stop(50)
    logs[0].view(51, view(a, 3, a, b))
    logs[1].view(51, view(a, 3, a, b))
    d = Log("keycloak-3", end=200).start(60).addr(60, "keycloak-3-400", "10.0.0.14:7800")
    d.ev(Kind.JOIN_TIMEOUT, 62, f"keycloak-3-400: JOIN(keycloak-3-400) sent to {c} timed out (after 2000 ms), on try 1",
         node="keycloak-3-400", subject=c)
    d.ev(Kind.JOIN_TIMEOUT, 64, f"keycloak-3-400: JOIN(keycloak-3-400) sent to {c} timed out (after 2000 ms), on try 2",
         node="keycloak-3-400", subject=c)
    d.view(70, view(a, 4, a, b, "keycloak-3-400"))
    logs[0].view(70, view(a, 4, a, b, "keycloak-3-400"))
    res = run(*logs, d)
    f = one(res, "R13-")
    assert f.severity is Severity.WARNING and c in f.summary and "no longer existed" in f.summary
    assert "remove_all_data_on_view_change" in f.remediation
    assert not [x for x in find(res, "R7-") if x.severity is not Severity.INFO]


def test_r13_jdbc_errors():
    names, logs = three_pods()
    logs[0].ev(Kind.DISCOVERY_ERROR, 5, "JGRP000115: Could not open connection to database",
               detail={"protocol": "JDBC_PING", "reason": "could not open connection to database"})
    f = one(run(*logs), "R13-")
    assert "could not open connection to database" in f.summary and "JDBC URL" in f.remediation


def test_r13_r15_silent_on_a_healthy_cluster():
    a = run(*three_pods()[1])
    assert not find(a, "R13-") and not find(a, "R15-")


def test_r15_dns_query_missing_stops_clustering():
    lg = Log("keycloak-0", end=60).ev(
        Kind.CHANNEL_ERROR, 2,
        "org.infinispan.commons.CacheConfigurationException: ISPN000541: Error while trying to create a channel using the "
        "specified configuration 'kubernetes' (java.lang.IllegalArgumentException: dns_query can not be null or empty)",
        detail={"protocol": "DNS_PING", "reason": "dns_query can not be null or empty"})
    a = run(lg)
    f = one(a, "R15-")
    assert f.id == "R15-discovery-config" and f.severity is Severity.ERROR
    assert "dns_query" in f.summary and "-Djgroups.dns.query=" in f.remediation and "clusterIP: None" in f.remediation
    assert a.exit_code == 1


# ---------------------------------------------------------------------------------------------
# R16 / R17


def test_r16_member_logs_a_view_before_its_coordinator():
    names, logs = three_pods()
    a, b, c = names
    v3 = view(a, 3, a, b, c)
    logs[1].view(40, v3)
    logs[2].view(40, v3)
    logs[0].view(52, v3)  # the coordinator's clock is 12 s behind
    f = one(run(*logs), "R16-")
    assert f.severity is Severity.INFO and "12 s before its coordinator" in f.summary


def test_r16_silent_when_clocks_agree():
    assert not find(run(*three_pods()[1]), "R16-")


def _symptom(log: Log, t: float, error: str) -> Log:
    return log.ev(Kind.USER_SYMPTOM, t, f"type=CODE_TO_TOKEN_ERROR, realmId=demo, clientId=app, error={error}, grant_type=authorization_code",
                  detail={"type": "CODE_TO_TOKEN_ERROR", "error": error})


def test_r17_symptoms_during_the_split_are_linked_to_it():
    a, b = seed_split()
    _symptom(a, 100, "invalid_code")  # before the split (only one pod yet): not linked
    _symptom(b, 300, "expired_code")
    _symptom(a, 320, "invalid_code")
    b.ev(Kind.USER_SYMPTOM, 330, 'type=REFRESH_TOKEN_ERROR, error="invalid_token", reason="Session doesn\'t have required client"',
         detail={"error": "invalid_token", "reason": "Session doesn't have required client"})
    _symptom(b, 340, "invalid_user_credentials")  # a user's typo: unrelated
    f = one(run(a, b), "R17-")
    assert f.severity is Severity.ERROR
    assert f.summary.startswith("3 Keycloak error events")
    assert "1 expired_code" in f.summary and "1 invalid_code" in f.summary and "Session doesn't have required client" in f.summary
    assert "users saw this because" in f.summary
    assert len(f.evidence) == 3


def test_r17_symptoms_without_a_split_are_not_blamed_on_one():
    names, logs = three_pods()
    _symptom(logs[0], 50, "expired_code")
    assert not find(run(*logs), "R17-")


def test_r17_follows_a_healed_split_as_warning():
    names, logs = partition_then_merge()
    _symptom(logs[2], 120, "user_session_not_found")
    f = one(run(*logs), "R17-")
    assert f.severity is Severity.WARNING and "user_session_not_found" in f.summary


# ---------------------------------------------------------------------------------------------
# evidence advice


def test_evidence_starts_late():
    v = view("keycloak-0-1", 5, "keycloak-0-1", "keycloak-1-2")
    a = Log("keycloak-0").view(0, v)
    b = Log("keycloak-1").view(0, v)
    f = one(run(a, b), "evidence-starts-late")
    assert f.severity is Severity.INFO and "[keycloak-0-1|5]" in f.summary
    assert "--tail=-1" in f.remediation and "--previous" in f.remediation


def test_evidence_starts_at_boot():
    assert not find(run(*three_pods()[1]), "evidence-starts-late")


def test_evidence_tail_10_is_a_warning_when_the_verdict_is_open():
    a, b = seed_split()
    a.lines = b.lines = 10
    f = one(run(a, b), "evidence-tail-10")
    assert f.severity is Severity.WARNING and "--tail=-1" in f.remediation
    _names, logs = three_pods()
    for lg in logs:
        lg.lines = 11
    assert not find(run(*logs), "evidence-tail-10")


def test_evidence_no_dates():
    a = Log("keycloak-0", time_only=True).start(0).created(0, "keycloak-0").view(0, view("keycloak-0", 0, "keycloak-0"))
    f = one(run(a), "evidence-no-dates")
    assert f.severity is Severity.INFO and "--timestamps" in f.remediation
    assert not find(run(*three_pods()[1]), "evidence-no-dates")


def test_evidence_no_debug_names_the_categories():
    f = one(run(*partition_then_merge()[1]), "evidence-no-debug")
    for cat in ("org.jgroups.protocols.pbcast.GMS", "org.jgroups.protocols.MERGE3", "org.jgroups.protocols.FD_ALL3",
                "org.jgroups.protocols.FD_SOCK2", "org.jgroups.protocols.VERIFY_SUSPECT2"):
        assert cat in f.remediation
    assert "--log-level=INFO,org.jgroups:DEBUG" in f.remediation


def test_evidence_no_debug_silent_with_debug_lines_or_no_problem():
    assert not find(run(*three_pods()[1]), "evidence-no-debug")
    names, logs = partition_then_merge()
    logs[0].ev(Kind.SUSPECT, 99, f"{names[0]}: suspecting {names[2]}", level="DEBUG", subject=names[2])
    assert not find(run(*logs), "evidence-no-debug")


# ---------------------------------------------------------------------------------------------
# the engine as a whole


ID = re.compile(r"^(R([1-9]|1[0-7])-[a-z0-9-]+|evidence-(starts-late|tail-10|no-dates|no-debug))$")


@pytest.mark.parametrize("scenario", ["seed", "partition", "rolling", "r2", "r7"])
def test_findings_are_well_formed(scenario):
    logs = {
        "seed": lambda: list(seed_split()),
        "partition": lambda: partition_then_merge()[1],
        "rolling": _rolling_restart,
        "r2": _startup_singletons_merged,
        "r7": lambda: [Log("kc-0", end=100).created(0, "kc-0-1"),
                       Log("kc-1", end=100).ev(Kind.JOIN_TIMEOUT, 5, "JOIN timed out", node="kc-1-2", subject="kc-0-1")
                       .ev(Kind.SINGLETON, 9, "becoming singleton", node="kc-1-2")],
    }[scenario]()
    a = run(*logs)
    assert a.findings
    for f in a.findings:
        assert ID.match(f.id), f.id
        assert f.summary.strip() and "\n" not in f.summary, f.summary
        assert len(f.evidence) <= 6
        if f.severity is not Severity.INFO:
            assert f.remediation
    # most severe first
    ranks = [f.severity.rank for f in a.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_a_failing_rule_does_not_take_the_analysis_down(monkeypatch):
    from jgview import findings
    from jgview.findings.r00_common import guarded

    def broken(ctx):
        raise ValueError("odd input")

    findings._load_rules()
    monkeypatch.setattr(findings, "RULES", findings.RULES + [("boom", guarded(broken))])
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("JGVIEW_DEBUG", raising=False)
    a = run(*seed_split())
    assert find(a, "R1-")
    assert any("odd input" in e for e in a.stats["rule_errors"])


# ---------------------------------------------------------------------------------------------
# end to end: real wordings through the whole pipeline


def _analyze(tmp_path: Path, files: dict[str, str], **opts: Any):
    from jgview.pipeline import analyze

    paths = []
    for name, text in files.items():
        p = tmp_path / name
        p.write_text(text)
        paths.append(str(p))
    return analyze(paths, AnalyzeOptions(**opts))


SEED_N8GPD = """\
07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) keycloak-demo-1-n8gpd: no members discovered after 3321 ms: creating cluster as coordinator
07:26:29,061 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-3) ISPN000078: Starting JGroups channel ejb
07:26:29,073 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-3) ISPN000094: Received new cluster view for channel ejb: [keycloak-demo-1-n8gpd|0] (1) [keycloak-demo-1-n8gpd]
07:38:02,111 INFO  [org.keycloak.services] (default task-1) KC-SERVICES0009: Added user 'admin' to realm 'master'
"""
SEED_J6P5H = """\
07:30:35,764 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) keycloak-demo-1-j6p5h: no members discovered after 3322 ms: creating cluster as coordinator
07:30:36,901 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-4) ISPN000078: Starting JGroups channel ejb
07:30:36,909 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-4) ISPN000094: Received new cluster view for channel ejb: [keycloak-demo-1-j6p5h|0] (1) [keycloak-demo-1-j6p5h]
07:33:51,902 WARN  [org.keycloak.events] (default task-39) type=CODE_TO_TOKEN_ERROR, realmId=demo, clientId=demo-app, userId=null, ipAddress=10.128.2.1, error=invalid_code, grant_type=authorization_code
07:38:40,000 INFO  [org.keycloak.services] (default task-2) KC-SERVICES0010: Imported realm
"""


def test_e2e_seed_logs(tmp_path):
    a = _analyze(tmp_path, {"keycloak-demo-1-n8gpd.log": SEED_N8GPD, "keycloak-demo-1-j6p5h.log": SEED_J6P5H},
                 date=date(2020, 10, 20))
    assert a.verdict is Verdict.SPLIT and a.exit_code == 1
    f = a.findings[0]
    assert f.id == "R1-dns-ping-clusterip" and f.severity is Severity.ERROR
    assert "keycloak-demo-1-n8gpd" in f.summary and "keycloak-demo-1-j6p5h" in f.summary
    assert f.evidence[0].line == 1 and "creating cluster as coordinator" in f.evidence[0].text
    r17 = one(a, "R17-")
    assert "invalid_code" in r17.summary
    # the JSON carries the findings as DESIGN.md states
    from jgview.render import jsonout

    doc = jsonout.document(a) if hasattr(jsonout, "document") else None
    if doc is not None:
        assert doc["findings"][0]["id"] == "R1-dns-ping-clusterip"


KUBE_403 = (
    "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.kubernetes.KUBE_PING] (main) failed getting JSON response from "
    "Kubernetes Client[masterUrl=https://172.30.0.1:443/api/v1, headers={Authorization=#MASKED:862#}, connectTimeout=5000, "
    "readTimeout=30000, operationAttempts=3, operationSleep=1000, streamProvider=org.jgroups.protocols.kubernetes.stream."
    "TokenStreamProvider@1] for cluster [ISPN], namespace [auth], labels [app=keycloak]; encountered [java.lang.Exception: "
    "3 attempt(s) with a 1000ms sleep to execute [OpenStream] failed. Last failure was [java.io.IOException: Server "
    "returned HTTP response code: 403 for URL: https://172.30.0.1:443/api/v1/namespaces/auth/pods?labelSelector=app%3Dkeycloak]]\n"
)


def test_e2e_kube_ping_403(tmp_path):
    files = {}
    for i in range(2):
        n = f"keycloak-{i}-{1000 + i}"
        files[f"keycloak-{i}.log"] = (
            KUBE_403.replace("10:00:00", f"10:0{i}:00")
            + f"2024-05-01 10:0{i}:03,123 INFO  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) {n}: no members discovered after 2003 ms: creating cluster as coordinator\n"
            + f"2024-05-01 10:0{i}:03,200 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000094: Received new cluster view for channel ISPN: [{n}|0] (1) [{n}]\n"
            + "2024-05-01 10:09:00,000 INFO  [org.keycloak.services] (main) KC-SERVICES0009: still running\n"
        )
    a = _analyze(tmp_path, files)
    f = one(a, "R3-")
    assert f.severity is Severity.ERROR and "namespace [auth]" in f.summary
    assert "namespace: auth" in f.remediation and "app: keycloak" not in f.remediation
    assert not find(a, "R1-")


def test_e2e_partition_then_merge(tmp_path):
    a0, a1, a2 = "keycloak-0-41190", "keycloak-1-7283", "keycloak-2-58813"
    v2 = f"[{a0}|2] (3) [{a0}, {a1}, {a2}]"
    head = "2025-03-12 {t} INFO  [org.infinispan.CLUSTER] (jgroups-5,{n}) "

    def line(t: str, n: str, msg: str) -> str:
        return head.format(t=t, n=n) + msg + "\n"

    merge = (f"ISPN000093: Received new, MERGED cluster view for channel ISPN: MergeView::[{a0}|4] (3) [{a0}, {a1}, {a2}], "
             f"2 subgroups: [{a0}|3] (2) [{a0}, {a1}], [{a2}|3] (1) [{a2}]")
    files = {
        "keycloak-0.log": line("08:00:00,000", a0, "ISPN000078: Starting JGroups channel `ISPN` with stack `jdbc-ping`")
        + line("08:02:00,000", a0, f"ISPN000094: Received new cluster view for channel ISPN: {v2}")
        + line("09:14:38,558", a0, f"ISPN000094: Received new cluster view for channel ISPN: [{a0}|3] (2) [{a0}, {a1}]")
        + line("09:15:18,716", a0, merge),
        "keycloak-1.log": line("08:01:00,000", a1, "ISPN000078: Starting JGroups channel `ISPN` with stack `jdbc-ping`")
        + line("08:02:00,010", a1, f"ISPN000094: Received new cluster view for channel ISPN: {v2}")
        + line("09:14:38,569", a1, f"ISPN000094: Received new cluster view for channel ISPN: [{a0}|3] (2) [{a0}, {a1}]")
        + line("09:15:18,720", a1, merge),
        "keycloak-2.log": line("08:02:00,000", a2, "ISPN000078: Starting JGroups channel `ISPN` with stack `jdbc-ping`")
        + line("08:02:00,020", a2, f"ISPN000094: Received new cluster view for channel ISPN: {v2}")
        + line("09:14:39,186", a2, f"ISPN000094: Received new cluster view for channel ISPN: [{a2}|3] (1) [{a2}]")
        + line("09:15:18,730", a2, merge),
    }
    a = _analyze(tmp_path, files)
    assert a.verdict is Verdict.HEALED and a.exit_code == 0
    f = one(a, "R11-")
    assert f.severity is Severity.WARNING and f"[{a0}|4]" in f.summary
    assert not find(a, "R1-") and not find(a, "R2-")


# ---------------------------------------------------------------------------------------------
# docs/findings.md documents every rule and every id the engine can emit


def test_every_finding_id_is_documented():
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "findings.md").read_text()
    emitted = set()
    for mod in sorted((root / "jgview" / "findings").glob("r*.py")):
        emitted |= set(re.findall(r'id="([A-Za-z0-9-]+)"', mod.read_text()))
    assert len(emitted) >= 20
    for fid in sorted(emitted):
        assert f"`{fid}`" in doc, fid
    for n in range(1, 18):
        assert re.search(rf"^## R{n}\. ", doc, re.M), n


def test_the_rules_share_one_facts_per_evaluation(monkeypatch):
    """Every rule asks for the evaluation's facts; they are made once (the lonely-pod facts alone
    cost a fifth of a second for 500 pods) and kept on the context."""
    from jgview import pipeline
    from jgview.findings import r00_common

    made = []
    real_init = r00_common.Facts.__init__

    def counting_init(self: Any, ctx: Any) -> None:
        made.append(ctx)
        real_init(self, ctx)

    monkeypatch.setattr(r00_common.Facts, "__init__", counting_init)
    root = Path(__file__).resolve().parent.parent / "sample_logs" / "seed-split"
    a = pipeline.analyze([str(root)])
    assert a.findings, "the seed split has findings"
    assert len(made) == 1


def test_the_rule_modules_listed_from_the_directory_are_pkgutils():
    import pkgutil

    import jgview.findings as fnd

    assert fnd._rule_modules() == sorted(m.name for m in pkgutil.iter_modules(fnd.__path__))
    assert "r01_discovery" in fnd._rule_modules() and "__init__" not in fnd._rule_modules()
