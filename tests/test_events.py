"""Tests of the events stage (jgview.events.extract) on real wordings from messages.md."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jgview.catalogue import IGNORED, PATTERNS, Wording, is_candidate
from jgview.events import TEXT_LIMIT, extract, node_from_thread, scan
from jgview.models import Event, Kind, Record, View


def rec(message: str, **fields: object) -> Record:
    fields.setdefault("raw", message.split("\n", 1)[0])
    return Record(source="pod.log", lineno=7, message=message, **fields)  # type: ignore[arg-type]


def one(message: str, kind: Kind | None = None, **fields: object) -> Event:
    events = extract(rec(message, **fields))
    if kind is not None:
        events = [e for e in events if e.kind is kind]
    assert len(events) == 1, events
    return events[0]


# ------------------------------------------------------------------------------------------------
# every catalogue sample gives its event, whatever envelope surrounds it


SAMPLES = [pytest.param(w, s, id=f"{w.id}-{i}") for w in PATTERNS for i, s in enumerate(w.samples)]
ENVELOPES = [
    "{}",
    "[pod/keycloak-0/keycloak] 2024-05-01T10:00:00.123456789Z {}",
    'keycloak-1 | {"level":"INFO","message":"{}"}',
]


@pytest.mark.parametrize(("wording", "sample"), SAMPLES)
def test_every_sample_gives_its_event(wording: Wording, sample: str) -> None:
    for envelope in ENVELOPES:
        line = envelope.replace("{}", sample)
        events = extract(rec(line, layout="unknown"))
        mine = [e for e in events if e.detail.get("wording") == wording.id]
        assert mine, (wording.id, line, [(e.kind, e.detail.get("wording")) for e in events])
        assert mine[0].kind in (wording.kind, Kind.MERGED_VIEW)
        assert mine[0].source == "pod.log" and mine[0].lineno == 7


@pytest.mark.parametrize("sample", [s for w in IGNORED for s in w.samples])
def test_ignored_samples_give_no_event(sample: str) -> None:
    assert extract(rec(sample)) == []


# ------------------------------------------------------------------------------------------------
# record fields


def test_record_fields_are_copied() -> None:
    when = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
    message = "ISPN000094: Received new cluster view for channel ISPN: [a-1|2] (2) [a-1, b-2]"
    raw = "2024-05-01 10:00:00,000 INFO  [org.infinispan.CLUSTER] (jgroups-6,a-1) " + message
    ev = one(
        message,
        raw=raw,
        pod="keycloak-0",
        time=when,
        time_of_day="10:00:00,000",
        level="INFO",
        logger="org.infinispan.CLUSTER",
        thread="jgroups-6,a-1",
        layout="keycloak",
    )
    assert (ev.source, ev.lineno, ev.pod, ev.time, ev.time_of_day) == ("pod.log", 7, "keycloak-0", when, "10:00:00,000")
    assert (ev.level, ev.logger) == ("INFO", "org.infinispan.CLUSTER")
    assert ev.text == raw
    assert ev.node == "a-1"


def test_text_is_first_line_bounded() -> None:
    message = "ISPN000094: Received new cluster view for channel ISPN: [a|1] (1) [a]" + "x" * 5000 + "\n\tat foo"
    ev = one(message, raw="")
    assert ev.text == message.split("\n")[0][:TEXT_LIMIT]
    assert len(ev.text) == TEXT_LIMIT


def test_event_on_a_continuation_line_keeps_first_line_as_text() -> None:
    message = (
        "ISPN000541: Error while trying to create a channel using the specified configuration 'kubernetes'\n"
        "\tat org.infinispan.remoting.transport.jgroups.JGroupsTransport.buildChannel(JGroupsTransport.java:1)\n"
        "Caused by: java.lang.IllegalArgumentException: dns_query can not be null or empty"
    )
    events = extract(rec(message))
    assert [e.detail["wording"] for e in events] == ["ispn-541-channel-error", "dns-query-empty"]
    assert all(e.kind is Kind.CHANNEL_ERROR for e in events)
    assert all(e.text == message.split("\n")[0] for e in events)


def test_unknown_layout_searches_raw_when_message_has_nothing() -> None:
    raw = "<garbled> 07:30:35,764 INFO [GMS] (ServerService Thread Pool -- 60) keycloak-demo-1-j6p5h: no members discovered after 3322 ms: creating cluster as coordinator"
    ev = one("(ServerService Thread Pool -- 60)", raw=raw, layout="unknown")
    assert ev.kind is Kind.CREATED_CLUSTER and ev.node == "keycloak-demo-1-j6p5h"
    # a known layout trusts its message
    assert extract(rec("(ServerService Thread Pool -- 60)", raw=raw, layout="wildfly")) == []


# ------------------------------------------------------------------------------------------------
# Infinispan channel / views


def test_ispn94_seed_views() -> None:
    ev = one(
        "07:45:02,191 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-1) ISPN000094: Received new cluster "
        "view for channel ejb: [keycloak-demo-1-mvrfg|1] (2) [keycloak-demo-1-mvrfg, keycloak-demo-1-vv5jn]",
        layout="unknown",
    )
    assert ev.kind is Kind.VIEW
    assert ev.channel == "ejb"
    assert ev.view == View("keycloak-demo-1-mvrfg", 1, ("keycloak-demo-1-mvrfg", "keycloak-demo-1-vv5jn"), 2)
    assert ev.node is None  # MSC service thread names no node


def test_ispn94_truncated_view() -> None:
    names = [f"kc-{i}-{100 + i}" for i in range(25)]
    printed = ", ".join(names[:20]) + " ..."
    ev = one(f"ISPN000094: Received new cluster view for channel ISPN: [kc-0-100|30] (25) [{printed}]")
    assert ev.view is not None
    assert ev.view.members == tuple(names[:20])
    assert ev.view.size == 25 and ev.view.truncated


def test_ispn94_infinispan16_names_lose_version_suffix() -> None:
    ev = one(
        "ISPN000094: Received new cluster view for channel ISPN: [kc-0-4711(v=16.0.8)|3] (2) "
        "[kc-0-4711(v=16.0.8), kc-1-815(v=16.0.8)]",
        thread="jgroups-12,kc-0-4711(v=16.0.8)",
    )
    assert ev.view == View("kc-0-4711", 3, ("kc-0-4711", "kc-1-815"), 2)
    assert ev.node == "kc-0-4711"


def test_ispn93_merged_view_is_one_event_with_subgroups() -> None:
    events = extract(
        rec(
            "ISPN000093: Received new, MERGED cluster view for channel ISPN: MergeView::[kc-0-111|4] (2) "
            "[kc-0-111, kc-1-222], 2 subgroups: [kc-0-111|3] (1) [kc-0-111], [kc-1-222|2] (1) [kc-1-222]"
        )
    )
    assert len(events) == 1  # the generic MergeView:: wording does not fire again inside it
    ev = events[0]
    assert ev.kind is Kind.MERGED_VIEW and ev.channel == "ISPN"
    assert ev.view is not None and ev.view.view_id == "[kc-0-111|4]"
    assert [s.view_id for s in ev.subgroups] == ["[kc-0-111|3]", "[kc-1-222|2]"]


def test_ispn78_79_80_with_and_without_backticks() -> None:
    ev = one("ISPN000078: Starting JGroups channel `ISPN` with stack `kubernetes`")
    assert (ev.kind, ev.channel, ev.detail["stack"]) == (Kind.CHANNEL_START, "ISPN", "kubernetes")
    ev = one("ISPN000078: Starting JGroups channel ejb")
    assert (ev.channel, "stack" in ev.detail) == ("ejb", False)
    ev = one("ISPN000080: Disconnecting JGroups channel `ISPN`")
    assert (ev.kind, ev.channel) == (Kind.CHANNEL_STOP, "ISPN")
    ev = one(
        "ISPN000079: Channel `ISPN` local address is `keycloak-0-27846`, physical addresses are "
        "`[10.1.2.3:7800, fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800]`"
    )
    assert ev.kind is Kind.LOCAL_ADDRESS
    assert (ev.channel, ev.node, ev.subject) == ("ISPN", "keycloak-0-27846", "keycloak-0-27846")
    assert ev.detail["physical"] == ["10.1.2.3:7800", "fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800"]
    assert ev.detail["physical_hosts"] == ["10.1.2.3", "fe80:0:0:0:5003:8eff:fefa:3e53%tap0"]
    ev = one("ISPN000079: Channel ejb local address is node-a, physical addresses are [127.0.0.1:7600]")
    assert (ev.channel, ev.node, ev.detail["physical"]) == ("ejb", "node-a", ["127.0.0.1:7600"])


def test_ispn79_topology_aware_address() -> None:
    ev = one(
        "ISPN000079: Channel ISPN local address is kc-0-4711(site-id=s1, rack-id=r1, machine-id=m1), "
        "physical addresses are [10.1.2.3:7800]"
    )
    assert ev.node == "kc-0-4711(site-id=s1, rack-id=r1, machine-id=m1)"


def test_ispn711_rejected_view_is_not_a_view_event() -> None:
    ev = one(
        "ISPN000711: View event rejected. The installed view id '[kc-0-1|5]' is newer than the received view: "
        "[kc-0-1|4] (2) [kc-0-1, kc-1-2]"
    )
    assert ev.kind is Kind.NON_MEMBER_DROP
    assert ev.view is not None and ev.view.view_id == "[kc-0-1|4]"
    assert ev.detail["installed_view_id"] == "[kc-0-1|5]" and ev.detail["rejected"] is True


# ------------------------------------------------------------------------------------------------
# GMS


@pytest.mark.parametrize(
    ("message", "node", "elapsed"),
    [
        ("keycloak-demo-1-n8gpd: no members discovered after 3321 ms: creating cluster as coordinator", "keycloak-demo-1-n8gpd", 3321),
        ("keycloak-0: no members discovered after 3004 ms: creating cluster as first member", "keycloak-0", 3004),
        ("kc-0-4711(v=16.0.8): no members discovered after 2.00s: creating cluster as coordinator", "kc-0-4711", 2000),
        ("kc-0-4711: no members discovered after 850ms: creating cluster as coordinator", "kc-0-4711", 850),
        ("kc-0-4711: no members discovered after 1m: creating cluster as coordinator", "kc-0-4711", 60000),
        ("kc-0-4711: no members discovered after 2,00s: creating cluster as coordinator", "kc-0-4711", 2000),
        ("kc-0-4711: no members discovered after 1.234,50ms: creating cluster as coordinator", "kc-0-4711", 1234.5),
        ("kc-0-4711: no members discovered after 1,234.50ms: creating cluster as coordinator", "kc-0-4711", 1234.5),
        ("kc-0-4711: no members discovered after 2.50s: creating cluster as coordinator", "kc-0-4711", 2500),
        ("keycloak-1-4242: I'm the first member: creating cluster as coordinator", "keycloak-1-4242", None),
    ],
)
def test_creating_cluster_wordings(message: str, node: str, elapsed: float | None) -> None:
    line = f"2024-05-01 10:00:00,123 INFO  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) {message}"
    ev = one(line, layout="unknown")
    assert ev.kind is Kind.CREATED_CLUSTER
    assert ev.node == node
    assert ev.view is None  # the history stage implies [node|0] (1) [node]
    assert ev.detail.get("elapsed_ms") == elapsed


def test_created_cluster_debug_implies_singleton_view() -> None:
    ev = one(
        "2024-07-03 14:57:55 [main] DEBUG org.jgroups.protocols.pbcast.GMS - LXKA-6RLTVL3-46217: created cluster "
        "(first member). My view is [LXKA-6RLTVL3-46217|0], impl is CoordGmsImpl"
    )
    assert ev.kind is Kind.CREATED_CLUSTER and ev.node == "LXKA-6RLTVL3-46217"
    assert ev.view == View("LXKA-6RLTVL3-46217", 0, ("LXKA-6RLTVL3-46217",), 1)
    assert ev.detail["impl"] == "CoordGmsImpl"


def test_installing_view_with_diff() -> None:
    ev = one(
        "kc-0-1: installing view [kc-0-1|3] (3) [kc-0-1, kc-2-3, kc-4-4(v=16.0.8)] "
        "([kc-4-4(v=16.0.8), kc-2-3] joined, kc-1-2 left)"
    )
    assert ev.kind is Kind.VIEW and ev.node == "kc-0-1"
    assert ev.view is not None and ev.view.members == ("kc-0-1", "kc-2-3", "kc-4-4")
    assert ev.detail["joined"] == ["kc-4-4", "kc-2-3"]
    assert ev.detail["left"] == ["kc-1-2"]
    ev = one("kc-0-1: installing view [kc-0-1|4] (1) [kc-0-1] (kc-2-3 left)")
    assert ev.detail["left"] == ["kc-2-3"] and "joined" not in ev.detail
    ev = one("node-a: installing view [node-a|1] (2) [node-a, node-b]")  # 3.6
    assert ev.view is not None and ev.view.size == 2 and "joined" not in ev.detail


def test_installing_a_merge_view_is_a_merged_view() -> None:
    ev = one(
        "kc-0-1: installing view MergeView::[kc-0-1|6] (2) [kc-0-1, kc-1-2], 2 subgroups: "
        "[kc-0-1|5] (1) [kc-0-1], [kc-1-2|4] (1) [kc-1-2]"
    )
    assert ev.kind is Kind.MERGED_VIEW and len(ev.subgroups) == 2


def test_installing_merge_view_prints_only_the_id() -> None:
    ev = one("kc-0-1: installing merge view [kc-0-1|5] (3 members) in 2 coords")
    assert ev.kind is Kind.MERGED_VIEW and ev.view is None
    assert (ev.detail["view_id"], ev.detail["size"], ev.detail["coords"]) == ("[kc-0-1|5]", 3, 2)


def test_mergeview_anywhere() -> None:
    ev = one(
        "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.pbcast.GMS] (jgroups-5,kc-0-1) received "
        "MergeView::[kc-0-1|6] (2) [kc-0-1, kc-1-2], 2 subgroups: [kc-0-1|5] (1) [kc-0-1], [kc-1-2|4] (1) [kc-1-2]",
        layout="unknown",
    )
    assert ev.kind is Kind.MERGED_VIEW and ev.node == "kc-0-1"
    assert [s.creator for s in ev.subgroups] == ["kc-0-1", "kc-1-2"]


def test_join_timeout_and_singleton() -> None:
    ev = one("kc-1-2: JOIN(kc-1-2) sent to kc-0-1 timed out (after 2000 ms), on try 3")
    assert (ev.kind, ev.node, ev.subject) == (Kind.JOIN_TIMEOUT, "kc-1-2", "kc-0-1")
    assert (ev.detail["try"], ev.detail["elapsed_ms"], ev.detail["joiner"]) == (3, 2000, "kc-1-2")
    ev = one("kc-1-2: too many JOIN attempts (10): becoming singleton")
    assert (ev.kind, ev.node, ev.detail["attempts"]) == (Kind.SINGLETON, "kc-1-2", 10)


def test_new_coordinator_both_wordings() -> None:
    for text in (
        "kc-1-2: members are [kc-1-2, kc-2-3], coord=kc-1-2: I'm the new coordinator",
        "kc-1-2: members are [kc-1-2, kc-2-3], coord=kc-1-2: I'm the new coord !",
    ):
        ev = one(text)
        assert (ev.kind, ev.node, ev.subject, ev.members) == (
            Kind.NEW_COORDINATOR,
            "kc-1-2",
            "kc-1-2",
            ("kc-1-2", "kc-2-3"),
        )


def test_ack_timeouts() -> None:
    ev = one(
        "kc-0-1: failed to collect all ACKs (expected=3) for view [kc-0-1|3] after 2000 ms, missing 2 ACKs from "
        "kc-1-2, kc-2-3"
    )
    assert ev.kind is Kind.ACK_TIMEOUT
    assert ev.detail["view_id"] == "[kc-0-1|3]"
    assert (ev.detail["expected"], ev.detail["missing"]) == (3, 2)
    assert ev.detail["missing_from"] == ["kc-1-2", "kc-2-3"]
    ev = one("node-a: failed to collect all ACKs (expected=2) for view [node-a|7] after 2000ms, missing 1 ACKs from [node-b]")
    assert ev.detail["missing_from"] == ["node-b"] and ev.detail["elapsed_ms"] == 2000


def test_not_member_of_view_and_suspected_coordinator() -> None:
    ev = one("kc-1-2: not member of view [kc-0-1|4]; discarding it")
    assert (ev.kind, ev.node, ev.detail["view_id"]) == (Kind.NON_MEMBER_DROP, "kc-1-2", "[kc-0-1|4]")
    ev = one("I am the coord and I'm being suspected -- will probably leave shortly", thread="jgroups-5,kc-0-1")
    assert (ev.kind, ev.node, ev.subject) == (Kind.SUSPECT, "kc-0-1", "kc-0-1")


def test_local_addr_and_gms_address_lines() -> None:
    ev = one("local_addr: 0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90, name: keycloak-0-27846")
    assert (ev.kind, ev.node, ev.detail["uuid"]) == (Kind.LOCAL_ADDRESS, "keycloak-0-27846", "0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90")
    ev = one("GMS: address=amq-artemis-0-44731, cluster=activemq_broadcast_channel, physical address=172.17.0.5:7800")
    assert (ev.kind, ev.node, ev.channel, ev.detail["physical"]) == (
        Kind.LOCAL_ADDRESS,
        "amq-artemis-0-44731",
        "activemq_broadcast_channel",
        ["172.17.0.5:7800"],
    )
    ev = one("address=kc-0-1, cluster=ISPN")
    assert (ev.node, ev.channel) == ("kc-0-1", "ISPN")
    # Keycloak's ipAddress= field is not a GMS address line
    assert not [e for e in extract(rec('ipAddress="10.0.0.9", cluster=x')) if e.kind is Kind.LOCAL_ADDRESS]


# ------------------------------------------------------------------------------------------------
# suspicion


@pytest.mark.parametrize(
    ("message", "kind", "node", "members"),
    [
        ("kc-0-1: suspecting [kc-1-2, kc-2-3]", Kind.SUSPECT, "kc-0-1", ("kc-1-2", "kc-2-3")),
        ("node-a: suspecting node-b", Kind.SUSPECT, "node-a", ("node-b",)),
        ("kc-0-1: unsuspecting kc-1-2", Kind.UNSUSPECT, "kc-0-1", ("kc-1-2",)),
        ("kc-0-1: haven't received a heartbeat from kc-1-2 for 60012 ms, adding it to suspect list", Kind.SUSPECT, "kc-0-1", ("kc-1-2",)),
        ("haven't received a heartbeat from node-b for 40003 ms, adding it to suspect list", Kind.SUSPECT, None, ("node-b",)),
        ("kc-0-1: haven't received a heartbeat from kc-1-2 in timeout period (40000 ms), adding it to suspect list", Kind.SUSPECT, "kc-0-1", ("kc-1-2",)),
        ("kc-0-4711(v=16.0.8): broadcasting suspect(kc-1-815(v=16.0.8))", Kind.SUSPECT, "kc-0-4711", ("kc-1-815",)),
        ("kc-0-1: broadcasting unsuspect(kc-1-2)", Kind.UNSUSPECT, "kc-0-1", ("kc-1-2",)),
        ("[kc-1-2] is dead (passing up SUSPECT event)", Kind.SUSPECT, None, ("kc-1-2",)),
        ("[kc-1-2, kc-2-3] are dead (passing up SUSPECT event)", Kind.SUSPECT, None, ("kc-1-2", "kc-2-3")),
        ("kc-0-1: sending up SUSPECT([kc-1-2])", Kind.SUSPECT, "kc-0-1", ("kc-1-2",)),
    ],
)
def test_suspicions(message: str, kind: Kind, node: str | None, members: tuple[str, ...]) -> None:
    ev = one(message)
    assert (ev.kind, ev.node, ev.members, ev.subject) == (kind, node, members, members[0])


def test_unsuspecting_is_not_a_suspicion() -> None:
    kinds = [e.kind for e in extract(rec("kc-0-1: unsuspecting kc-1-2"))]
    assert kinds == [Kind.UNSUSPECT]


# ------------------------------------------------------------------------------------------------
# JGRP warnings


def test_jgrp11_both_wordings_carry_the_view() -> None:
    old = one(
        "JGRP000011: kc-0-1: dropped message 42 from non-member kc-9-9 (view=[kc-0-1|3] (2) [kc-0-1, kc-1-2]) "
        "(received 7 identical messages from kc-9-9 in the last 60000 ms)"
    )
    new = one(
        "JGRP000011: kc-0-1: dropped message from non-member kc-9-9 (view=[kc-0-1|3] (2) [kc-0-1, kc-1-2]) "
        "(5 suppressed messages in the last 60s)"
    )
    for ev in (old, new):
        assert (ev.kind, ev.node, ev.subject) == (Kind.NON_MEMBER_DROP, "kc-0-1", "kc-9-9")
        assert ev.view == View("kc-0-1", 3, ("kc-0-1", "kc-1-2"), 2)
    assert (old.detail["suppressed"], old.detail["seqno"]) == (7, "42")
    assert new.detail["suppressed"] == 5


def test_jgrp_transport_warnings() -> None:
    ev = one("JGRP000010: packet from 10.1.2.4:7800 has different version (4.2.5) than ours (4.0.21); packet is discarded")
    assert (ev.kind, ev.subject, ev.detail["version"], ev.detail["ours"]) == (Kind.VERSION_MISMATCH, "10.1.2.4:7800", "4.2.5", "4.0.21")
    ev = one("JGRP000012: discarded message from different cluster other (our cluster is ISPN). Sender was app-1-7 (received 3 identical messages from app-1-7 in the last 60000 ms)")
    assert (ev.kind, ev.subject, ev.detail["cluster"], ev.detail["our_cluster"], ev.detail["suppressed"]) == (
        Kind.DIFFERENT_CLUSTER,
        "app-1-7",
        "other",
        "ISPN",
        3,
    )
    assert ev.channel == "ISPN"
    ev = one("JGRP000032: kc-0-1: no physical address for kc-1-2, dropping message")
    assert (ev.kind, ev.node, ev.subject) == (Kind.NO_PHYSICAL_ADDRESS, "kc-0-1", "kc-1-2")
    ev = one("JGRP000029: kc-0-1: failed sending message to kc-1-2 (123 bytes): java.net.ConnectException: Connection refused, headers: GMS")
    assert (ev.kind, ev.subject, ev.detail["reason"], ev.detail["bytes"]) == (
        Kind.SEND_FAILED,
        "kc-1-2",
        "java.net.ConnectException: Connection refused",
        123,
    )
    ev = one("JGRP000026: unable to find an address other than loopback for IP version IPv4")
    assert ev.kind is Kind.BIND_PROBLEM
    ev = one("JGRP000006: kc-0-1: failed accepting connection from peer Socket[addr=/10.1.2.9,port=51234,localport=7800]: java.io.EOFException")
    assert (ev.kind, ev.node, ev.subject, ev.detail["reason"]) == (
        Kind.ACCEPT_FAILED,
        "kc-0-1",
        "Socket[addr=/10.1.2.9,port=51234,localport=7800]",
        "java.io.EOFException",
    )


def test_failed_sending_message_without_id() -> None:
    ev = one(
        "2024-05-01 10:00:00,123 ERROR [org.jgroups.protocols.TCP] (pd-bundler-5,kc-0-1) kc-0-1: failed sending "
        "message to 10.1.2.4:7800: java.net.ConnectException: Connection refused",
        layout="unknown",
    )
    assert (ev.kind, ev.node, ev.subject) == (Kind.SEND_FAILED, "kc-0-1", "10.1.2.4:7800")
    assert ev.detail["reason"] == "java.net.ConnectException: Connection refused"


# ------------------------------------------------------------------------------------------------
# discovery


def test_kube_ping_403() -> None:
    w = next(w for w in PATTERNS if w.id == "kube-ping-json-failed")
    ev = one(w.samples[0])
    assert ev.kind is Kind.DISCOVERY_ERROR
    assert (ev.detail["http_status"], ev.detail["namespace"], ev.detail["labels"], ev.detail["protocol"]) == (
        403,
        "auth",
        "app=keycloak",
        "KUBE_PING",
    )


def test_kube_ping_403_on_a_continuation_line() -> None:
    ev = one(
        "failed getting JSON response from Kubernetes Client[masterUrl=https://10.96.0.1:443/api/v1] for cluster "
        "[ISPN], namespace [auth], labels [app=kc]; encountered [java.lang.Exception: failed]\n"
        "Caused by: java.io.IOException: Server returned HTTP response code: 403 for URL: https://10.96.0.1/api/v1"
    )
    assert ev.detail["http_status"] == 403


def test_kube_ping_namespace_lines() -> None:
    assert one("namespace not set; clustering disabled").kind is Kind.DISCOVERY_ERROR
    ev = one("namespace auth set; clustering enabled")
    assert (ev.kind, ev.detail["namespace"]) == (Kind.DISCOVERY_TARGETS, "auth")


def test_dns_ping_lines() -> None:
    ev = one("kc-0-1: entries collected from DNS (in 3 ms): [10.1.2.3:0, 10.1.2.4:0]")
    assert (ev.kind, ev.node, ev.detail["entries"]) == (Kind.DNS_ENTRIES, "kc-0-1", ["10.1.2.3:0", "10.1.2.4:0"])
    ev = one("kc-0-1: no entries collected from DNS (in 5 ms)")
    assert (ev.kind, ev.detail["entries"]) == (Kind.DNS_ENTRIES, [])
    ev = one("kc-0-1: sending discovery requests to hosts [10.1.2.3:0] on ports [7800 .. 7810]")
    assert (ev.kind, ev.detail["hosts"], ev.detail["port_lo"], ev.detail["port_hi"]) == (
        Kind.DISCOVERY_TARGETS,
        ["10.1.2.3:0"],
        7800,
        7810,
    )
    ev = one("kc-0-1: sending discovery request to 10.1.2.4:7800 failed: java.net.ConnectException: Connection refused")
    assert (ev.kind, ev.subject) == (Kind.DISCOVERY_ERROR, "10.1.2.4:7800")


def test_discarding_discovery_request_sender_is_the_subject_not_the_node() -> None:
    ev = one(
        "app-1-7: discarding discovery request for cluster 'other' from app-1-7; our cluster name is 'ISPN'. "
        "Please separate your clusters properly",
        thread="jgroups-5,kc-0-1",
    )
    assert (ev.kind, ev.node, ev.subject, ev.detail["cluster"], ev.detail["our_cluster"]) == (
        Kind.DIFFERENT_CLUSTER,
        "kc-0-1",
        "app-1-7",
        "other",
        "ISPN",
    )


def test_jdbc_ping_and_channel_errors() -> None:
    assert one("JGRP000115: Could not open connection to database").detail["protocol"] == "JDBC_PING"
    assert one("Failed to fetch the cluster members from the database.").detail["protocol"] == "KEYCLOAK_JDBC_PING2"
    ev = one("kc-0-1: failed writing to DB: org.postgresql.util.PSQLException: Connection refused")
    assert (ev.node, ev.detail["protocol"]) == ("kc-0-1", "JDBC_PING2")
    ev = one("java.lang.IllegalArgumentException: dns_query can not be null or empty")
    assert (ev.kind, ev.detail["protocol"]) == (Kind.CHANNEL_ERROR, "DNS_PING")


# ------------------------------------------------------------------------------------------------
# Infinispan event logger


@pytest.mark.parametrize(
    ("prefix", "cache", "scope"),
    [
        ("", None, None),
        ("[Context=sessions] ", "sessions", None),
        ("[Context=sessions][Scope=node-a]", "sessions", "node-a"),  # 8.2–9.2: no space
        ("[Context=sessions][Scope=node-a] ", "sessions", "node-a"),
        ("[Context=sessions][Scope=kc-0(v=16.0.8)][User=admin] ", "sessions", "kc-0"),
    ],
)
def test_event_logger_prefixes(prefix: str, cache: str | None, scope: str | None) -> None:
    ev = one(prefix + "ISPN100000: Node kc-1-2 joined the cluster")
    assert (ev.kind, ev.subject) == (Kind.NODE_JOINED, "kc-1-2")
    assert ev.detail.get("cache") == cache and ev.detail.get("scope") == scope


def test_node_left_with_topology_name() -> None:
    ev = one("ISPN100001: Node kc-1-2(site-id=s1, rack-id=r1, machine-id=m1) left the cluster")
    assert (ev.kind, ev.subject) == (Kind.NODE_LEFT, "kc-1-2(site-id=s1, rack-id=r1, machine-id=m1)")


def test_topology_lines() -> None:
    ev = one("[Context=sessions] ISPN100002: Starting rebalance with members [kc-0-1, kc-1-2], phase READ_OLD_WRITE_ALL, topology id 5")
    assert (ev.kind, ev.members, ev.detail["topology_id"], ev.detail["cache"], ev.detail["phase"]) == (
        Kind.TOPOLOGY,
        ("kc-0-1", "kc-1-2"),
        5,
        "sessions",
        "READ_OLD_WRITE_ALL",
    )
    assert one("[Context=s][Scope=a]ISPN100002: Started rebalance with topology id 7").detail["topology_id"] == 7
    assert one("[Context=s][Scope=a]ISPN100002: Started local rebalance").kind is Kind.TOPOLOGY
    ev = one("[Context=actionTokens] ISPN100008: Updating cache members list [kc-0-1], topology id 9")
    assert (ev.members, ev.detail["cache"]) == (("kc-0-1",), "actionTokens")
    ev = one("[Context=sessions] ISPN100010: Finished rebalance with members [kc-0-1, kc-1-2], topology id 8")
    assert ev.detail["event"] == "rebalance_finished"


def test_recovery_availability_and_lost_members() -> None:
    ev = one("[Context=sessions] ISPN100007: After merge (or coordinator change), recovered members [kc-0-1, kc-1-2] with topology id 12")
    assert (ev.kind, ev.members, ev.detail["topology_id"]) == (Kind.RECOVERED, ("kc-0-1", "kc-1-2"), 12)
    ev = one(
        "ISPN100004: After merge (or coordinator change), the coordinator failed to recover cluster. "
        "Cluster members are [kc-0-1]."
    )
    assert (ev.kind, ev.members) == (Kind.RECOVERY_FAILED, ("kc-0-1",))
    ev = one("[Context=sessions] ISPN100011: Entering availability mode DEGRADED_MODE, topology id 11")
    assert (ev.kind, ev.detail["mode"]) == (Kind.AVAILABILITY, "DEGRADED_MODE")
    ev = one(
        "ISPN000314: Lost at least half of the stable members, possible split brain causing data inconsistency. "
        "Current members are [kc-0-1], lost members are [kc-1-2, kc-2-3], stable members are [kc-0-1, kc-1-2, kc-2-3]"
    )
    assert (ev.kind, ev.members, ev.lost, ev.detail["stable"]) == (
        Kind.LOST_MEMBERS,
        ("kc-0-1",),
        ("kc-1-2", "kc-2-3"),
        ["kc-0-1", "kc-1-2", "kc-2-3"],
    )
    ev = one("ISPN000317: Lost data because of abrupt leavers [kc-1-2], assuming a network split and entering degraded mode")
    assert (ev.kind, ev.lost, ev.detail["degraded"], ev.detail["ispn_id"]) == (Kind.DATA_LOST, ("kc-1-2",), True, "ISPN000317")
    ev = one("ISPN000312: Lost data because of graceful leaver kc-1-2")
    assert (ev.lost, ev.detail.get("degraded")) == (("kc-1-2",), None)


# ------------------------------------------------------------------------------------------------
# Keycloak


def test_node_name() -> None:
    ev = one("Node name: keycloak-0-27846, Site name: null")
    assert (ev.kind, ev.subject, ev.detail["site"]) == (Kind.NODE_NAME, "keycloak-0-27846", "null")
    ev = one("Node name: kc-0, Site name: s1, Cluster name: ISPN")
    assert ev.detail["cluster"] == "ISPN"


@pytest.mark.parametrize(
    ("message", "symptom"),
    [
        ('type="CODE_TO_TOKEN_ERROR", realmId="1", clientId="web", userId="null", error="expired_code"', "expired_code"),
        ("type=CODE_TO_TOKEN_ERROR, realmId=acme, clientId=web, userId=null, error=invalid_code, grant_type=x", "invalid_code"),
        (
            "type=REFRESH_TOKEN_ERROR, realmId=acme, clientId=web, error=invalid_token, "
            "reason='Session doesn't have required client', grant_type=refresh_token",
            "Session doesn't have required client",
        ),
        ("type=REFRESH_TOKEN_ERROR, realmId=acme, error=user_session_not_found", "user_session_not_found"),
    ],
)
def test_user_symptoms(message: str, symptom: str) -> None:
    events = extract(rec("WARN  [org.keycloak.events] (executor-thread-5) " + message))
    assert len(events) == 1  # the bare error= / reason wordings do not fire again on an event line
    assert (events[0].kind, events[0].detail["symptom"]) == (Kind.USER_SYMPTOM, symptom)


@pytest.mark.parametrize(
    "message",
    [
        'type="LOGIN_ERROR", realmId="1", clientId="web", userId="null", error="invalid_user_credentials"',
        # an expired or revoked refresh token is everyday traffic, not a sign of a split (R17 counts
        # only the errors a lost session gives, and the missing-client reason)
        'type="REFRESH_TOKEN_ERROR", realmId="1", error="invalid_token", reason="Token is not active"',
    ],
)
def test_other_errors_are_not_symptoms(message: str) -> None:
    assert extract(rec(message)) == []


# ------------------------------------------------------------------------------------------------
# threads → node


@pytest.mark.parametrize(
    ("thread", "expected"),
    [
        ("jgroups-7,keycloak-0-12345", ("keycloak-0-12345", None)),
        ("thread-3,ejb,node-a", ("node-a", "ejb")),
        ("jgroups-12,kc-0-4711(v=16.0.8)", ("kc-0-4711", None)),
        ("Timer runner-2,kc-0-1", ("kc-0-1", None)),
        ("TQ-Bundler-7,ISPN,kc-0(site-id=s1, rack-id=r1, machine-id=m1)", ("kc-0(site-id=s1, rack-id=r1, machine-id=m1)", "ISPN")),
        ("Timer-2,shared=tcp", (None, None)),
        ("ServerService Thread Pool -- 60", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("a,b,c,d", (None, None)),
    ],
)
def test_node_from_thread(thread: str | None, expected: tuple[str | None, str | None]) -> None:
    assert node_from_thread(thread) == expected


def test_thread_found_in_raw_line_of_unknown_layout() -> None:
    line = "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-6,kc-0-1) ISPN100000: Node kc-1-2 joined the cluster"
    ev = one(line, layout="unknown")
    assert ev.node == "kc-0-1"
    ev = one("10:00:00,123 INFO [org.infinispan.CLUSTER] (thread-5,ejb,node-a) ISPN000078: Starting JGroups channel ejb", layout="unknown")
    assert (ev.node, ev.channel) == ("node-a", "ejb")


# ------------------------------------------------------------------------------------------------
# negatives


@pytest.mark.parametrize(
    "line",
    [
        "07:42:51,000 INFO  [org.jboss.as.clustering.infinispan] (ServerService Thread Pool -- 60) "
        "WFLYCLINF0002: Started work cache from keycloak container",
        "ISPN000439: Received new x-site view: [site-a, site-b]",
        "ISPN000439: Received new cross-site view: [site-a]",
        "2024-05-01 10:00:00,123 INFO  [org.keycloak.services] (main) rendering the admin view [realm|3] for user x",
        "The new view [a|1] (1) [a] looks fine",
        "2024-05-01 10:00:00,123 INFO  [io.quarkus] (main) Keycloak 24.0.1 on JVM started in 9.1s.",
        "ISPN000128: Infinispan version: Infinispan 'Triskaidekaphobia' 13.0.10.Final",
        "type=LOGIN, realmId=acme, clientId=web, userId=u1, ipAddress=10.0.0.9",
        "",
    ],
)
def test_not_membership_events(line: str) -> None:
    events = extract(rec(line, layout="unknown"))
    assert not [e for e in events if e.kind in (Kind.VIEW, Kind.MERGED_VIEW)]
    assert events == []


def test_cross_site_view_is_never_a_view_even_in_jgroups_format() -> None:
    line = "ISPN000439: Received new x-site view: MergeView::[site-a|3] (2) [site-a, site-b], 2 subgroups: [site-a|2] (1) [site-a], [site-b|1] (1) [site-b]"
    assert extract(rec(line)) == []


def test_generic_wordings_need_the_jgroups_node_prefix() -> None:
    assert extract(rec("ERROR [org.apache.kafka] failed sending message to broker-1: timeout")) == []
    assert extract(rec("WARN  [com.example.Audit] suspecting fraud in order 42")) == []
    assert extract(rec("kc-0-1: failed sending message to kc-1-2: java.net.ConnectException: Connection refused")) != []


def test_a_random_view_mention_is_not_a_view() -> None:
    assert extract(rec("installing viewer plugin [x|y]")) == []
    # the wording matched but no view follows: the event says so instead of inventing one
    (ev,) = extract(rec("kc-0: installing view garbage"))
    assert ev.view is None and ev.detail["view_unparsed"] == "garbage"


# ------------------------------------------------------------------------------------------------
# robustness


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "message",
    [
        "ISPN000094: Received new cluster view for channel ISPN: " + "[a|" * 200_000,
        "MergeView::" * 100_000,
        "kc: JOIN(" * 100_000,
        "x" * 1_000_000 + ": no members discovered after 3 ms: creating cluster as coordinator",
        ": no members discovered after " * 50_000,
        "suspecting " * 100_000,
        "installing view " + "[" * 300_000,
        "]" * 100_000 + " is dead (passing up SUSPECT event)",
        " is dead (passing up SUSPECT event)" * 20_000,
        'type="A_ERROR", error="' * 30_000,
        "[Context=a]" * 100_000 + " ISPN100000: Node a joined the cluster",
        # 300,000 members (4 MB; the records stage caps a record at 1 MiB, the view parser alone is
        # tested with names 3× longer in test_viewparse)
        "ISPN000094: Received new cluster view for channel ISPN: [kc-0|7] (300000) ["
        + ", ".join(f"kc-{i}-{i % 9973}" for i in range(300_000))
        + "]",
    ],
    ids=lambda m: m[:30],
)
def test_hostile_records_are_fast(message: str) -> None:
    assert _timed(lambda: extract(rec(message, raw=message[:2000], layout="unknown"))) < 1.0


def test_long_token_before_colon_is_not_a_node() -> None:
    ev = one("x" * 5000 + ": no members discovered after 3 ms: creating cluster as coordinator")
    assert ev.node is None


def test_events_are_bounded_per_record() -> None:
    message = "\n".join(f"ISPN100000: Node n-{i} joined the cluster" for i in range(500))
    assert 0 < len(extract(rec(message))) <= 50


_FRAGMENTS = [s for w in PATTERNS for s in w.samples]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(
            st.sampled_from(_FRAGMENTS).flatmap(
                lambda s: st.tuples(st.integers(0, len(s)), st.integers(0, len(s))).map(lambda t: s[min(t) : max(t)])
            ),
            st.text(max_size=40),
            st.sampled_from(["[", "]", "(", ")", ", ", ": ", "|", "\n", "MergeView::", "[a|1] (2) [a, b"]),
        ),
        max_size=12,
    ),
    layout=st.sampled_from(["unknown", "keycloak"]),
    thread=st.one_of(st.none(), st.text(max_size=30), st.just("jgroups-1,a(v=1)")),
)
def test_never_raises_on_mangled_wordings(pieces: list[str], layout: str, thread: str | None) -> None:
    message = "".join(pieces)
    record = rec(message, layout=layout, thread=thread)
    events = scan(message, record)  # scan() has no catch-all: a bug would surface here
    for ev in events:
        assert isinstance(ev.kind, Kind)
        assert len(ev.text) <= TEXT_LIMIT
        if ev.view is not None:
            assert len(ev.view.members) <= 5000
    assert extract(record) == events or layout == "unknown"


# ------------------------------------------------------------------------------------------------
# lines beyond JGroups/Infinispan that say when a pod stops or how discovery was set up


def test_server_stop_lines_end_every_channel() -> None:
    ev = one("2024-05-01 11:00:00,456 INFO  [io.quarkus] (Shutdown thread) Keycloak stopped in 0.061s")
    assert (ev.kind, ev.channel, ev.detail["shutdown"], ev.detail["elapsed_ms"]) == (Kind.CHANNEL_STOP, None, True, 61)
    ev = one("WFLYSRV0050: Keycloak 16.1.1 (WildFly Core 18.0.4.Final) stopped in 312ms")
    assert (ev.kind, ev.detail["shutdown"], ev.detail["product"]) == (
        Kind.CHANNEL_STOP,
        True,
        "Keycloak 16.1.1 (WildFly Core 18.0.4.Final)",
    )
    assert extract(rec("The timer stopped in 3s")) == []


def test_keycloak_image_discovery_setting() -> None:
    ev = one("Setting JGroups discovery to dns.DNS_PING with properties {dns_query=>keycloak-demo.demo.svc.cluster.local}")
    assert (ev.kind, ev.detail["protocol"], ev.detail["dns_query"]) == (
        Kind.DISCOVERY_TARGETS,
        "dns.DNS_PING",
        "keycloak-demo.demo.svc.cluster.local",
    )


def test_rebalance_phase_is_not_kept_and_failure_is() -> None:
    # the phases of a rebalance (three or four lines per cache and topology change) are not events,
    # and are no candidate lines of their own; their start and end are events
    line = "[Context=work] ISPN100009: Advancing to rebalance phase READ_NEW_WRITE_ALL, topology id 4"
    assert extract(rec(line)) == []
    assert not is_candidate(line)
    ev = one("[Context=work] ISPN100010: Finished rebalance with members [a, b], topology id 4")
    assert (ev.kind, ev.detail["event"], ev.detail["topology_id"], ev.detail["cache"]) == (
        Kind.TOPOLOGY, "rebalance_finished", 4, "work")
    ev = one("ISPN100016: Rebalance failed with members [a, b], topology id 6 and cause java.lang.Exception: x")
    assert (ev.detail["event"], ev.members, ev.detail["reason"]) == ("rebalance_failed", ("a", "b"), "java.lang.Exception: x")


_BASE = st.tuples(st.sampled_from("abcdefgkz"), st.text(alphabet="abcdefgkz0123456789-", max_size=12)).map("".join)
_NAME = st.one_of(
    _BASE,
    st.tuples(_BASE, st.integers(0, 20)).map(lambda t: f"{t[0]}(v=16.0.{t[1]})"),
    st.tuples(_BASE, st.integers(0, 9)).map(lambda t: f"{t[0]}(site-id=s{t[1]}, rack-id=r{t[1]}, machine-id=m{t[1]})"),
    st.uuids().map(str),
)


@settings(max_examples=100, deadline=None)
@given(
    creator=_NAME,
    vid=st.integers(0, 10_000),
    members=st.lists(_NAME, min_size=1, max_size=30),
    envelope=st.sampled_from(ENVELOPES),
    thread=st.sampled_from(["jgroups-6,", "thread-2,ISPN,", "MSC service thread 1-1"]),
)
def test_ispn94_view_round_trip(creator: str, vid: int, members: list[str], envelope: str, thread: str) -> None:
    from jgview.viewparse import strip_version

    shown = ", ".join(members[:20]) + (" ..." if len(members) > 20 else "")
    thread_name = thread + creator if thread.endswith(",") else thread
    message = (
        f"2024-05-01 10:00:00,000 INFO  [org.infinispan.CLUSTER] ({thread_name}) ISPN000094: Received new "
        f"cluster view for channel ISPN: [{creator}|{vid}] ({len(members)}) [{shown}]"
    )
    ev = one(envelope.replace("{}", message), layout="unknown")
    assert ev.kind is Kind.VIEW and ev.channel == "ISPN"
    assert ev.view == View(
        strip_version(creator), vid, tuple(strip_version(m) for m in members[:20]), len(members), len(members) > 20
    )
    assert ev.node == (strip_version(creator) if thread.endswith(",") else None)
