"""records: envelopes, layouts, time, joining, and what a source tells about itself."""

from __future__ import annotations

import gzip
import json
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jgview.models import SourceInfo
from jgview.records import LineParser, ReadOptions, iter_records, parse_line, strip_embedded_timestamps
from jgview.sources import Input, open_lines

UTC = timezone.utc
VIEW = (
    "ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-12345|1] (2) "
    "[keycloak-0-12345, keycloak-1-678]"
)
CREATED = "keycloak-0-12345: no members discovered after 3321 ms: creating cluster as coordinator"
KC = "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-12345) " + VIEW
WF = "07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) " + CREATED
NOISE = (
    "2024-05-01 10:00:00,200 INFO  [org.keycloak.services] (main) KC-SERVICES0050: Initializing master realm"
)


def cand(s: str) -> bool:
    return "ISPN" in s or "GMS" in s or "JGRP" in s


def run(lines, opts=None, candidate=cand, **kw):
    info = SourceInfo(name="src.log")
    recs = list(iter_records(enumerate(lines, 1), info, candidate, opts or ReadOptions(), **kw))
    return recs, info


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


# ---------------------------------------------------------------------------- basics


def test_only_candidates_are_yielded_and_counted():
    recs, info = run([NOISE, KC, NOISE, NOISE])
    assert [r.lineno for r in recs] == [2]
    r = recs[0]
    assert r.message == VIEW and r.layout == "keycloak" and r.level == "INFO"
    assert r.source == "src.log" and r.raw == KC
    assert info.records == 1 and info.layout == "keycloak"


def test_unknown_layout_line_still_yielded():
    line = "some tool said: " + VIEW
    recs, info = run(["plain text", line, "more plain text"])
    assert len(recs) == 1
    assert recs[0].layout == "unknown" and recs[0].message == line and recs[0].lineno == 2
    assert info.layout == "unknown"


def test_pod_from_hint_and_option():
    recs, _ = run([KC], pod_hint="keycloak-0")
    assert recs[0].pod == "keycloak-0"
    recs, _ = run([KC], opts=ReadOptions(pod="kc-9"))
    assert recs[0].pod == "kc-9"


def test_first_and_last_time_from_non_candidate_lines():
    lines = [
        "2024-05-01 09:00:00,000 INFO  [org.keycloak] (main) starting",
        *[NOISE] * 50,
        KC,
        *[NOISE] * 300,
        "2024-05-01 11:30:00,500 INFO  [org.keycloak] (main) still running",
        "\tat some.trace.Line(X.java:1)",
    ]
    recs, info = run(lines)
    assert len(recs) == 1
    assert info.first_time == dt("2024-05-01T09:00:00+00:00")
    assert info.last_time == dt("2024-05-01T11:30:00.500+00:00")


def test_first_time_found_after_untimed_lines_and_zone():
    lines = ["banner", "=====", "2024-05-01 09:00:00,000 INFO  [a] (b) go", KC]
    _, info = run(lines, opts=ReadOptions(tz=timezone(timedelta(hours=2))))
    assert info.first_time == dt("2024-05-01T07:00:00+00:00")
    assert info.last_time == dt("2024-05-01T08:00:00.123+00:00")


# ---------------------------------------------------------------------------- envelopes


def test_prefix_timestamps_wildfly_nested():
    line = "[pod/keycloak-0/keycloak] 2024-05-01T10:00:00.123456789Z " + WF
    recs, info = run([line])
    (r,) = recs
    assert (r.pod, r.container) == ("keycloak-0", "keycloak")
    assert r.time == dt("2024-05-01T10:00:00.123456+00:00")  # kubelet clock wins
    assert r.time_of_day == "07:26:27,828"
    assert r.layout == "wildfly" and r.message == CREATED
    assert r.thread == "ServerService Thread Pool -- 60"
    assert info.pods == ["keycloak-0"] and not info.time_only


def test_timestamps_with_offset_and_prefix_order():
    line = "2024-05-01T12:00:00.000000000+02:00 [pod/kc-1/kc] " + KC
    (r,), _ = run([line])
    assert r.time == dt("2024-05-01T10:00:00+00:00") and r.pod == "kc-1" and r.message == VIEW


def test_stern_with_colours_and_namespace():
    lines = [
        "\x1b[32mkeycloak-0\x1b[0m \x1b[34mkeycloak\x1b[0m " + KC,
        "\x1b[32mkeycloak-0\x1b[0m \x1b[34mkeycloak\x1b[0m \tat org.infinispan.Foo(Foo.java:1)",
        "\x1b[33mauth\x1b[0m \x1b[36mkeycloak-1\x1b[0m \x1b[34mkeycloak\x1b[0m 2024-05-01T10:00:05.5Z "
        + VIEW,
    ]
    recs, info = run(lines)
    assert [(r.pod, r.container) for r in recs] == [("keycloak-0", "keycloak"), ("keycloak-1", "keycloak")]
    assert recs[0].message == VIEW + "\n\tat org.infinispan.Foo(Foo.java:1)"
    assert recs[0].raw == "keycloak-0 keycloak " + KC  # colours are not evidence
    assert recs[1].message == VIEW and recs[1].time == dt("2024-05-01T10:00:05.500+00:00")
    assert info.pods == ["keycloak-0", "keycloak-1"]


def test_stern_not_detected_on_normal_lines():
    lines = [
        "keycloak-0-12345 is the coordinator of ISPN",
        "node-a something happened in GMS",
        "2024-05-01 10:00:00,123 INFO  [a] (b) GMS thing",
    ]
    recs, _ = run(lines)
    assert [r.pod for r in recs] == [None, None, None]
    assert recs[0].message == lines[0] and recs[1].message == lines[1]


def test_stern_repeated_pair_not_mistaken_in_a_plain_log():
    lines = []
    for i in range(5):
        lines += ["Started the server", "keycloak-0 joined the cluster ISPN", f"Ready after {i} seconds"]
    recs, _ = run(lines)
    assert [(r.pod, r.message) for r in recs] == [(None, "keycloak-0 joined the cluster ISPN")] * 5


def test_stern_raw_lines_detected_by_repetition():
    lines = [f"app-7d9f-x2k9q app {w} GMS" for w in ("started", "is", "ready", "now", "done")]
    recs, info = run(lines)
    assert [r.lineno for r in recs] == [1, 2, 3, 4, 5]  # in line order
    assert [r.pod for r in recs] == [None, None, "app-7d9f-x2k9q", "app-7d9f-x2k9q", "app-7d9f-x2k9q"]
    assert recs[-1].message == "done GMS" and recs[0].message == lines[0]


def test_compose_prefixes():
    lines = ["keycloak-1  | " + KC, "keycloak_2  | " + WF, "db-1        | ISPN? no: postgres ready"]
    recs, _ = run(lines)
    assert [(r.pod, r.container, r.layout) for r in recs] == [
        ("keycloak-1", "keycloak", "keycloak"),
        ("keycloak_2", "keycloak", "wildfly"),
        ("db-1", "db", "unknown"),
    ]
    assert recs[0].message == VIEW and recs[2].message == "ISPN? no: postgres ready"


def test_docker_json_file():
    lines = [
        json.dumps({"log": KC + "\n", "stream": "stdout", "time": "2024-05-01T10:00:09.5Z"}),
        json.dumps({"log": "\tat x.Y(Y.java:3)\n", "stream": "stdout", "time": "2024-05-01T10:00:09.6Z"}),
        json.dumps({"log": NOISE + "\n", "stream": "stdout", "time": "2024-05-01T10:00:10Z"}),
    ]
    (r,), info = run(lines)
    assert r.layout == "keycloak" and r.message == VIEW + "\n\tat x.Y(Y.java:3)"
    assert r.time == dt("2024-05-01T10:00:09.500+00:00")
    assert info.last_time == dt("2024-05-01T10:00:10+00:00")


def test_ci_runner_prefixes():
    recs, _ = run(["[2024-05-01T10:00:00Z] " + VIEW, "2024-05-01T10:00:01.1234567Z " + VIEW])
    assert [r.time for r in recs] == [dt("2024-05-01T10:00:00+00:00"), dt("2024-05-01T10:00:01.123456+00:00")]
    assert all(r.message == VIEW for r in recs)


def test_cri_file_and_partial_chunks():
    lines = [
        "2024-05-01T10:00:00.000000001Z stdout F " + KC,
        "2024-05-01T10:00:01.000000000Z stdout P 2024-05-01 10:00:01,000 INFO  [org.infinispan.CLUSTER] (t) "
        "ISPN000094: Received new cluster view for channel ISPN: [a-1|7] (3) [a-1, ",
        "2024-05-01T10:00:01.000000000Z stdout F b-2, c-3]",
    ]
    recs, _ = run(lines)
    assert recs[0].message == VIEW
    assert (
        recs[1].message
        == "ISPN000094: Received new cluster view for channel ISPN: [a-1|7] (3) [a-1, b-2, c-3]"
    )


def test_csv_export_quoted_commas_newest_first():
    lines = [
        '"@timestamp","kubernetes.pod_name","message"',
        '"2024-05-01T10:00:05.000Z","keycloak-1","2024-05-01 10:00:05,000 INFO  [org.infinispan.CLUSTER] '
        "(jgroups-7,keycloak-1-678) ISPN000094: Received new cluster view for channel ISPN: "
        '[keycloak-0-12345|2] (2) [keycloak-0-12345, keycloak-1-678]"',
        '"2024-05-01T10:00:03.000Z","keycloak-0","unrelated, with ""quotes"""',
        '"2024-05-01T10:00:01.000Z","keycloak-0","multi-line JGRP000032: x',
        'second line of the same cell"',
    ]
    recs, info = run(lines)
    assert [r.lineno for r in recs] == [2, 4]
    assert recs[0].pod == "keycloak-1" and recs[0].layout == "keycloak"
    assert recs[0].message.endswith("[keycloak-0-12345, keycloak-1-678]")
    assert recs[0].time == dt("2024-05-01T10:00:05+00:00")
    assert recs[1].message == "multi-line JGRP000032: x\nsecond line of the same cell"
    assert info.first_time == dt("2024-05-01T10:00:01+00:00")
    assert info.last_time == dt("2024-05-01T10:00:05+00:00")
    assert info.pods == ["keycloak-1", "keycloak-0"]


def test_csv_with_broken_quote_does_not_hide_later_lines():
    lines = (
        ["time,message", '2024-05-01T10:00:00Z,"broken ISPN000094 quote']
        + ["filler"] * 300
        + ["2024-05-01T10:00:02Z," + VIEW.replace(",", ";")]
    )
    recs, _ = run(lines)
    assert recs[0].lineno == 2 and "broken" in recs[0].message
    assert recs[-1].lineno == len(lines) and "Received new cluster view" in recs[-1].message


def test_tsv_export():
    lines = ["Time\tLine", "2024-05-01T10:00:00Z\t" + VIEW, "2024-05-01T10:00:01Z\tnothing"]
    (r,), info = run(lines)
    assert r.message == VIEW and r.lineno == 2 and r.time == dt("2024-05-01T10:00:00+00:00")
    assert info.last_time == dt("2024-05-01T10:00:01+00:00")


def test_headerless_tsv_timestamp_message():
    (r,), _ = run(["2024-05-01T10:00:00.123Z\t" + VIEW])
    assert r.message == VIEW and r.time == dt("2024-05-01T10:00:00.123+00:00")


def test_mid_line_kubelet_timestamps_removed():
    members = ", ".join(f"keycloak-{i}-{1000 + i}" for i in range(1500))
    body = f"ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-1000|9] (1500) [{members}]"
    text = "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-1000) " + body
    assert len(text) > 16384 + 4096
    chunks = [text[i : i + 16384] for i in range(0, len(text), 16384)]
    stamped = "".join(f"2024-05-01T10:00:00.{i:09d}Z {c}" for i, c in enumerate(chunks, 1))
    line = "[pod/keycloak-0/keycloak] " + stamped
    assert (
        strip_embedded_timestamps(line) == "[pod/keycloak-0/keycloak] 2024-05-01T10:00:00.000000001Z " + text
    )
    (r,), _ = run([line])
    assert r.message == body and r.time == dt("2024-05-01T10:00:00.000000+00:00")
    # lines without a leading kubelet stamp, and logged times far from it, are left alone
    other = "2024-05-01 10:00:00,000 INFO  [x] (y) at 2024-05-01T10:00:00.000000002Z z"
    assert strip_embedded_timestamps(other) == other
    logged = "2024-05-01T10:00:00.000000001Z time=2024-04-30T08:00:00.000000000Z msg=ok"
    assert strip_embedded_timestamps(logged) == logged


def test_kubelet_timestamp_inside_a_short_line():
    # CRI-O splits at its pipe reads: the stamp can fall anywhere, even inside a member name
    line = (
        "2025-01-28T09:13:02.500000001Z 2025-01-28 09:13:02,499 INFO  [org.infinispan.CLUSTER] "
        "(jgroups-5,kc-0-1) "
        "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|5] (3) [kc-0-1, kc-1-2, kc-17-"
        "2025-01-28T09:13:02.500000002Z 31247]"
    )
    (r,), _ = run([line])
    assert r.message.endswith("[kc-0-1, kc-1-2, kc-17-31247]")
    assert r.time == dt("2025-01-28T09:13:02.500000+00:00")


# ---------------------------------------------------------------------------- time


def test_time_only_without_date():
    recs, info = run([WF])
    assert recs[0].time is None and recs[0].time_of_day == "07:26:27,828"
    assert info.time_only and info.first_time is None


def test_date_option_and_midnight_rollover():
    lines = [
        "23:58:00,000 INFO  [org.jboss.as] (main) WFLYSRV0025: started",
        "23:59:59,900 INFO  [org.jgroups.protocols.pbcast.GMS] (t) " + CREATED,
        *["23:59:59,950 INFO  [x] (y) noise"] * 10,
        "00:00:00,100 INFO  [x] (y) noise after midnight",
        "00:00:01,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
        "23:59:59,999 INFO  [org.infinispan.CLUSTER] (t) late, out of order: " + VIEW,
        "08:00:00,000 INFO  [x] (y) noise",
    ]
    recs, info = run(lines, opts=ReadOptions(date=date(2024, 5, 1)))
    assert [r.time for r in recs] == [
        dt("2024-05-01T23:59:59.900+00:00"),
        dt("2024-05-02T00:00:01+00:00"),
        dt("2024-05-02T23:59:59.999+00:00"),
    ]
    assert info.first_time == dt("2024-05-01T23:58:00+00:00")
    assert info.last_time == dt("2024-05-03T08:00:00+00:00")
    assert not info.time_only


def test_rollover_seen_on_lines_that_are_not_candidates():
    lines = ["10:00:00,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW]
    lines += [f"{h:02d}:00:00,000 INFO  [x] (y) noise" for h in range(11, 24)] * 1  # day 1
    lines += [f"{h:02d}:00:00,000 INFO  [x] (y) noise" for h in range(0, 24)]  # day 2
    lines += ["{:02d}:00:00,000 INFO  [x] (y) noise".format(h) for h in range(0, 9)]  # day 3
    lines += ["09:30:00,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW]
    lines = [*["11:11:11,111 INFO  [x] (y) padding"] * 0, *lines]
    recs, _ = run(lines, opts=ReadOptions(date=date(2024, 5, 1)))
    assert [r.time.date() for r in recs] == [date(2024, 5, 1), date(2024, 5, 3)]


def test_time_only_dated_by_last_dated_line():
    lines = [
        "2024-06-30 23:00:00,000 INFO  [org.jboss] (main) dated banner",
        "23:30:00,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
        "00:10:00,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
    ]
    recs, info = run(lines)
    assert [r.time for r in recs] == [dt("2024-06-30T23:30:00+00:00"), dt("2024-07-01T00:10:00+00:00")]
    assert not info.time_only


def test_zone_for_naive_times():
    (r,), _ = run([KC], opts=ReadOptions(tz=timezone(timedelta(hours=-5))))
    assert r.time == dt("2024-05-01T15:00:00.123+00:00")


def test_interleaved_prefix_pods_have_own_rollover():
    lines = [
        "[pod/a-0/c] 23:59:00,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
        "[pod/b-0/c] 00:00:05,000 INFO  [x] (y) b is a day later already",
        "[pod/b-0/c] 00:00:06,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
        "[pod/a-0/c] 23:59:30,000 INFO  [org.infinispan.CLUSTER] (t) " + VIEW,
    ]
    recs, info = run(lines, opts=ReadOptions(date=date(2024, 5, 1)))
    got = {(r.pod, r.time) for r in recs}
    assert got == {
        ("a-0", dt("2024-05-01T23:59:00+00:00")),
        ("b-0", dt("2024-05-01T00:00:06+00:00")),
        ("a-0", dt("2024-05-01T23:59:30+00:00")),
    }
    assert info.pods == ["a-0", "b-0"]


# ---------------------------------------------------------------------------- joining


def test_stack_trace_joined():
    lines = [
        "2024-05-01 10:00:00,000 ERROR [org.jgroups.protocols.TCP] (t) JGRP000029: failed sending",
        "java.net.ConnectException: Connection refused",
        "\tat java.base/sun.nio.ch.Net.connect0(Native Method)",
        "Caused by: java.io.IOException: nope",
        "\t... 12 more",
        NOISE,
    ]
    (r,), _ = run(lines)
    assert r.message.split("\n") == ["JGRP000029: failed sending", *lines[1:5]]


def test_wrapped_view_line_joined():
    lines = [
        "2024-05-01 10:00:00,000 INFO  [org.infinispan.CLUSTER] (t) ISPN000094: Received new cluster "
        "view for channel ISPN: [keycloak-0-12345|1] (2) [keycloak-0-12345,",
        "keycloak-1-678]",
        NOISE,
    ]
    (r,), _ = run(lines)
    assert r.message == (
        "ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-12345|1] (2) "
        "[keycloak-0-12345,\nkeycloak-1-678]"
    )


def test_candidate_in_continuation_builds_record_from_its_first_line():
    lines = [
        NOISE,
        "2024-05-01 10:00:01,000 ERROR [org.keycloak.services] (main) startup failed",
        "org.infinispan.commons.CacheException: ISPN000541: Error while connecting",
        "\tat org.infinispan.Foo(Foo.java:1)",
        NOISE,
    ]
    (r,), _ = run(lines)
    assert r.lineno == 2 and r.logger == "org.keycloak.services" and r.level == "ERROR"
    assert r.message == "startup failed\n" + "\n".join(lines[2:4])
    assert r.time == dt("2024-05-01T10:00:01+00:00")


def test_jul_two_line_record_joined():
    lines = [
        "May 01, 2024 10:00:00 AM org.infinispan.remoting.transport.jgroups.JGroupsTransport"
        " receiveClusterView",
        "INFO: " + VIEW,
        "May 01, 2024 10:00:01 AM org.example.App main",
        "INFO: started",
    ]
    (r,), info = run(lines)
    assert (r.lineno, r.layout, r.level, r.message) == (1, "jul", "INFO", VIEW)
    assert r.logger == "org.infinispan.remoting.transport.jgroups.JGroupsTransport"
    assert r.time == dt("2024-05-01T10:00:00+00:00")
    assert info.last_time == dt("2024-05-01T10:00:01+00:00")


def test_many_free_lines_joined_in_order():
    tail = [f"member-{i}, " for i in range(30)]
    lines = [
        "2024-05-01 10:00:00,000 INFO  [org.infinispan.CLUSTER] (t) ISPN000094: view [a|1] (31) [",
        *tail,
        "member-30]",
        NOISE,
    ]
    (r,), _ = run(lines)
    assert r.message == "ISPN000094: view [a|1] (31) [\n" + "\n".join([*tail, "member-30]"])


def test_nakack_multiline_dump_joined():
    lines = [
        "2024-05-01 10:00:00,000 DEBUG [org.jgroups.protocols.pbcast.NAKACK2] (jgroups-5,kc-0) ",
        "[kc-0 setDigest()]",
        "existing digest:  []",
        "new digest:       kc-0: [5 (5)], kc-1: [0 (0)]",
        NOISE,
    ]
    recs, _ = run(lines, candidate=lambda s: "NAKACK2" in s)
    (r,) = recs
    assert r.message == "\n" + "\n".join(lines[1:4])


def test_prefix_continuations_go_to_their_own_pod():
    lines = [
        "[pod/kc-0/kc] " + KC,
        "[pod/kc-1/kc] 2024-05-01 10:00:00,500 ERROR [org.jgroups.protocols.TCP] (t) JGRP000029: x",
        "[pod/kc-0/kc] \tat zero.Frame(Z.java:1)",
        "[pod/kc-1/kc] \tat one.Frame(O.java:1)",
        "[pod/kc-0/kc] " + NOISE,
        "[pod/kc-1/kc] " + NOISE,
    ]
    recs, _ = run(lines)
    assert [r.lineno for r in recs] == [1, 2]
    by_pod = {r.pod: r.message for r in recs}
    assert by_pod == {
        "kc-0": VIEW + "\n\tat zero.Frame(Z.java:1)",
        "kc-1": "JGRP000029: x\n\tat one.Frame(O.java:1)",
    }


def test_joined_record_is_bounded():
    lines = [KC, *["\tat frame.X(X.java:1)"] * 5000, NOISE]
    t0 = time.perf_counter()
    recs, _ = run(lines)
    assert time.perf_counter() - t0 < 5
    assert recs[0].message.count("\n") == 199


def test_json_records_are_not_joined():
    kcj = json.dumps(
        {
            "timestamp": "2024-05-01T10:00:00Z",
            "loggerName": "org.infinispan.CLUSTER",
            "level": "INFO",
            "message": VIEW,
            "hostName": "keycloak-3",
        }
    )
    recs, info = run([kcj, "not json, but ISPN text", kcj])
    assert [(r.layout, r.lineno) for r in recs] == [
        ("keycloak-json", 1),
        ("unknown", 2),
        ("keycloak-json", 3),
    ]
    assert recs[0].pod == "keycloak-3" and info.pods == ["keycloak-3"]


# ---------------------------------------------------------------------------- through sources


def test_gzip_crlf_source_end_to_end(tmp_path):
    f = tmp_path / "keycloak-0.log"
    f.write_bytes(gzip.compress(("\r\n".join([NOISE, KC, NOISE]) + "\r\n").encode()))
    info = SourceInfo(name=str(f))
    errs: list[str] = []
    inp = Input(str(f), str(f), "keycloak-0")
    recs = list(
        iter_records(open_lines(inp, info, errs.append), info, cand, ReadOptions(), pod_hint=inp.pod_hint)
    )
    assert [(r.lineno, r.pod, r.message) for r in recs] == [(2, "keycloak-0", VIEW)]
    assert info.lines == 3 and errs == []


def test_invalid_utf8_candidate_still_yielded(tmp_path):
    f = tmp_path / "x.log"
    f.write_bytes(KC.encode().replace(b"Received", b"Rece\xffived") + b"\n")
    info = SourceInfo(name=str(f))
    recs = list(
        iter_records(open_lines(Input(str(f), str(f), None), info, lambda m: None), info, cand, ReadOptions())
    )
    assert len(recs) == 1 and "Rece\ufffdived" in recs[0].message and info.undecodable_lines == 1


# ---------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "line",
    [
        "(" * 100_000 + ")",
        "07:26:27,828 INFO  [x] (" + "(a" * 50_000,
        "2024-05-01 10:00:00,123 INFO  [" + "x" * 200_000,
        "{" + '"a":' * 50_000,
        "[" * 100_000,
        "[pod/" + "a" * 100_000,
        "a-b c " * 50_000,
        "x-1 " + " " * 100_000 + "|",
        "\x1b[" * 100_000,
        "May 01, 2024 10:00:00 AM " + "x " * 100_000,
        "2024-05-01T10:00:00.123456789Z " * 20_000,
    ],
)
def test_hostile_lines_are_fast_and_safe(line):
    t0 = time.perf_counter()
    recs, _ = run(["GMS " + line, line + " GMS"])
    assert time.perf_counter() - t0 < 2
    assert len(recs) >= 1


def test_deeply_nested_json_does_not_crash():
    line = '{"message": "GMS", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    recs, _ = run([line])
    assert len(recs) == 1


def test_parse_line_and_line_parser():
    r = parse_line("[pod/kc-0/kc] " + KC)
    assert (r.pod, r.layout, r.message, r.lineno) == ("kc-0", "keycloak", VIEW, 1)
    assert parse_line("").layout == "unknown"
    p = LineParser(ReadOptions(date=date(2024, 5, 1)))
    a = p.parse("23:59:00,000 INFO  [x] (y) " + VIEW)
    b = p.parse("00:01:00,000 INFO  [x] (y) " + VIEW)
    assert (a.lineno, b.lineno) == (1, 2)
    assert b.time == dt("2024-05-02T00:01:00+00:00")


def test_many_non_candidate_lines_are_cheap():
    lines = [(i, NOISE) for i in range(1, 200_001)]
    info = SourceInfo(name="big")
    t0 = time.perf_counter()
    recs = list(iter_records(lines, info, cand, ReadOptions()))
    assert time.perf_counter() - t0 < 3
    assert recs == [] and info.layout == "keycloak"


# ---------------------------------------------------------------------------- property: nothing hidden

MARK = "ISPN000094"
_PREFIXES = [
    "",
    "[pod/kc-0/kc] ",
    "[pod/kc-1/kc] ",
    "2024-05-01T10:00:00.123456789Z ",
    "kc-0 keycloak ",
    "web-1  | ",
    "\x1b[32m",
    "[2024-05-01T10:00:00Z] ",
    "2024-05-01T10:00:01.000000000Z stdout F ",
    "2024-05-01T10:00:01.000000000Z stdout P ",
    "[pod/kc-0/kc] 2024-05-01T10:00:01.000000000Z ",
]
_HEADERS = [
    "",
    "2024-05-01 10:00:00,123 INFO  [org.x] (t-1,a) ",
    "07:26:27,828 WARN  [org.y] (pool -- 1) ",
    "2024-05-01 10:00:00,123 INFO  (t) [org.z] ",
    "\tat ",
    "Caused by: ",
    "INFO: ",
    "10:00:00.123 [main] INFO  o.j.G - ",
    "2024-05-01 10:00:00,123 INFO  [o.i.CLUSTER] ",
]
_JUL = "May 01, 2024 10:00:00 AM org.A m"


def _line(prefix, header, body, kind):
    """A line, and how many markers its message holds."""
    if kind == "jul":
        return prefix + _JUL, 0
    if kind == "docker":
        log = header + body + "\n"
        return json.dumps({"log": log, "stream": "stdout", "time": "2024-05-01T10:00:00Z"}), log.count(MARK)
    if kind == "kcjson":
        line = json.dumps(
            {"timestamp": "2024-05-01T10:00:00Z", "loggerName": "a.B", "level": "INFO", "message": body}
        )
        return line, body.count(MARK)
    line = prefix + header + body
    return line, line.count(MARK)


_body = st.lists(
    st.sampled_from(
        [
            "a",
            "b-c",
            " ",
            ",",
            "(",
            ")",
            "[",
            "]",
            "|",
            ":",
            "{",
            "}",
            '"',
            "x-1",
            "7",
            MARK,
            MARK,
            MARK,
            "\t",
        ]
    ),
    max_size=8,
).map("".join)
_one = st.tuples(
    st.sampled_from(_PREFIXES),
    st.sampled_from(_HEADERS + [""] * 6),
    _body,
    st.sampled_from(["plain"] * 6 + ["jul", "docker", "kcjson"]),
)


@settings(max_examples=250, deadline=None)
@given(st.lists(_one, max_size=40))
def test_no_candidate_text_is_hidden_or_duplicated(parts):
    """Whatever envelopes, layouts and joins: every marker of a candidate line ends up in exactly
    one record's message, and records come in line order."""
    made = [_line(*p) for p in parts]
    lines = [line for line, _ in made]
    want = sum(n for _, n in made)
    recs, info = run(lines, candidate=lambda s: MARK in s)
    assert sum(r.message.count(MARK) for r in recs) == want
    assert info.records == len(recs)
    assert all(1 <= r.lineno <= len(lines) for r in recs)
    linenos = [r.lineno for r in recs]
    assert linenos == sorted(set(linenos))  # line order, one record per first line
