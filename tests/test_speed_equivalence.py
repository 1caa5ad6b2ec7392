"""The fast paths of the records and events stages give exactly what the plain ones give.

- events: a message seen before (same thread context) is not parsed again; its events are rebuilt
  with the new record's fields (``events._extract_memo``). Compared with :func:`jgview.events.scan`,
  which never uses the memo.
- records: times of the usual widths are read by a positional pattern (``records._fixed_format``);
  compared with the general ``strptime_lite`` pattern by switching the fast path off.
- the stern pre-test, the prefilter's word order.
"""

from __future__ import annotations

import json

from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jgview import events, records
from jgview.catalogue import CANDIDATE_KEYWORDS, CANDIDATE_WORDS, PATTERNS, is_candidate
from jgview.events import extract, scan
from jgview.models import Event, Record, SourceInfo
from jgview.records import ReadOptions, iter_records, parse_line, strptime_lite

UTC = timezone.utc
SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"

THREADS = [
    None,
    "",
    "jgroups-7,keycloak-0-12345",
    "jgroups-8,keycloak-1-678",
    "TQ-Bundler-4,ISPN,keycloak-0-12345",
    "thread-3,ejb,node-a",
    "Timer-2,shared=tcp",
    "ServerService Thread Pool -- 60",
    "non-blocking-thread--p2-t26",
]


@pytest.fixture(autouse=True)
def empty_memo():
    events._memo.clear()
    events._thread_memo.clear()
    yield
    events._memo.clear()
    events._thread_memo.clear()


def rec(message: str, i: int = 0, thread: str | None = None, layout: str = "keycloak") -> Record:
    """The same message as logged by different records: other source, line, time, pod …"""
    return Record(
        source=f"pod-{i % 3}.log",
        lineno=7 + 1000 * i,
        message=message,
        pod=None if i % 4 == 0 else f"keycloak-{i % 4}",
        container="keycloak" if i % 2 else None,
        time=None if i % 5 == 4 else datetime(2024, 5, 1, 10, 0, i % 60, 1000 * (i % 1000), tzinfo=UTC),
        time_of_day=f"10:00:{i % 60:02d},123" if i % 3 == 1 else None,
        level=("INFO", "WARN", None)[i % 3],
        logger=("org.infinispan.CLUSTER", None)[i % 2],
        thread=thread,
        layout=layout,
        raw=f"2024-05-01 10:00:{i % 60:02d},{i % 1000:03d} INFO  [x] ({thread}) {message}"[:3000],
    )


def fresh(record: Record) -> list[Event]:
    """The events of a record without the memo (scan() never uses it)."""
    return scan(record.message, record)


# ------------------------------------------------------------------------------------------------
# events: the memo


MESSAGES = [s for w in PATTERNS for s in w.samples]


def test_memo_gives_the_events_of_a_fresh_parse_for_every_sample():
    hits = 0
    for n, message in enumerate(MESSAGES):
        for j, thread in enumerate(THREADS[:5]):
            for i in range(3):  # the first parses, the next two come from the memo
                r = rec(message, n + 17 * j + 101 * i, thread)
                before = len(events._memo)
                got = extract(r)
                assert got == fresh(r), (message, thread, i)
                hits += len(events._memo) == before and bool(got)
    assert hits > len(MESSAGES)  # the memo was really used


def test_same_line_with_other_time_pod_line_and_source():
    message = "JGRP000032: keycloak-0-12345: no physical address for keycloak-2-42702, dropping message"
    a = rec(message, 1, "TQ-Bundler-7,ISPN,keycloak-0-12345")
    b = rec(message, 2, "TQ-Bundler-3,ISPN,keycloak-0-12345")
    ea, eb = extract(a), extract(b)
    assert len(ea) == len(eb) == 1
    assert ea == fresh(a) and eb == fresh(b)
    assert (eb[0].source, eb[0].lineno, eb[0].time, eb[0].pod, eb[0].level, eb[0].text) == (
        b.source, b.lineno, b.time, b.pod, b.level, b.raw)
    assert ea[0].lineno != eb[0].lineno and ea[0].time != eb[0].time
    assert ea[0].node == eb[0].node == "keycloak-0-12345"


def test_thread_context_is_part_of_the_memo_key():
    view = "ISPN000094: Received new cluster view for channel ISPN: [a|1] (2) [a, b]"
    node_started = "ISPN000078: Starting JGroups channel `ISPN`"
    for message in (view, node_started):
        got = [extract(rec(message, i, t)) for i, t in enumerate(THREADS)]
        for i, t in enumerate(THREADS):
            assert got[i] == fresh(rec(message, i, t))
    nodes = {extract(rec(view, 0, t))[0].node for t in THREADS}
    assert {"keycloak-0-12345", "keycloak-1-678", "node-a", None} <= nodes


def test_memoized_events_share_a_read_only_detail():
    """The events of a message's later records share one detail (a repeated warning gives
    thousands of events), read-only, lists in it too: a consumer cannot change what the next
    record gets; the first record's events keep a detail of their own."""
    message = ("[Context=sessions] ISPN100002: Starting rebalance with members [keycloak-0-1, keycloak-1-2], "
               "phase READ_OLD_WRITE_ALL, topology id 5")
    first = extract(rec(message, 1))
    assert first and first == fresh(rec(message, 1))
    lists = [k for k, v in first[0].detail.items() if isinstance(v, list)]
    for ev in first:  # (its own: changing it changes nothing else)
        ev.pod = "changed"
        ev.detail["wording"] = "changed"
        ev.detail["extra"] = [1]
        for k in lists:
            ev.detail[k].append("intruder")
    second = extract(rec(message, 2))
    third = extract(rec(message, 3))
    assert second == fresh(rec(message, 2)) and third == fresh(rec(message, 3))
    assert second[0].detail is third[0].detail and second[0].detail is not first[0].detail
    shared = second[0].detail
    for change in (lambda d: d.__setitem__("wording", "x"), lambda d: d.pop("wording"), lambda d: d.clear(),
                   lambda d: d.update(a=1), lambda d: d.setdefault("b", 1), lambda d: d.__delitem__("wording")):
        with pytest.raises(TypeError):
            change(shared)
    for k in lists:
        with pytest.raises(TypeError):
            shared[k].append("intruder")
        with pytest.raises(TypeError):
            shared[k][0] = "intruder"
    assert extract(rec(message, 4)) == fresh(rec(message, 4))
    # pickled (from a worker process) it stays one shared, read-only, equal detail
    import pickle

    back = pickle.loads(pickle.dumps(second + third))
    assert back == second + third and back[0].detail is back[len(second)].detail
    with pytest.raises(TypeError):
        back[0].detail["wording"] = "x"
    assert json.loads(json.dumps(back[0].detail)) == dict(shared)


def test_lists_in_detail_are_not_shared_with_the_first_record():
    message = "keycloak-0-1: JOIN(keycloak-0-1) sent to keycloak-1-2 timed out (after 3000 ms), on try 1"
    sample = next(s for w in PATTERNS for s in w.samples if "physical addresses are" in s)
    for m in (message, sample):
        a, b = extract(rec(m, 1)), extract(rec(m, 2))
        assert a == fresh(rec(m, 1)) and b == fresh(rec(m, 2))
        for ea, eb in zip(a, b):
            for k, v in ea.detail.items():
                if isinstance(v, (list, dict)):
                    assert eb.detail[k] is not v


def test_unknown_layout_and_long_messages_are_parsed_every_time():
    long_view = "ISPN000094: Received new cluster view for channel ISPN: [a|1] (300) [" + ", ".join(
        f"keycloak-{i}-{i * 7}" for i in range(300)) + "]"
    assert len(long_view) > events.MEMO_TEXT
    for i in range(3):
        r = rec(long_view, i, "jgroups-7,keycloak-0-12345")
        assert extract(r) == fresh(r)
        u = rec(long_view[:200], i, layout="unknown")
        assert extract(u) == events._extract(u)
    assert all(len(k[0]) <= events.MEMO_TEXT for k in events._memo)
    assert not any(k[0].startswith("ISPN000094") and len(k[0]) > 200 for k in events._memo)


def test_memo_is_bounded():
    for i in range(events.MEMO_SIZE + 300):
        r = rec(f"ISPN100010: Finished rebalance with members [a, b], topology id {i}", i,
                f"jgroups-{i},keycloak-{i}-1")
        assert extract(r) == fresh(r)
        assert len(events._memo) <= events.MEMO_SIZE
        assert len(events._thread_memo) <= events._THREAD_MEMO_SIZE
    # still right once entries were forgotten
    r = rec("ISPN100010: Finished rebalance with members [a, b], topology id 0", 5,
            "jgroups-0,keycloak-0-1")
    assert extract(r) == fresh(r)


def test_records_with_no_event_are_remembered_as_such():
    message = "ISPN000556: Starting user marshaller 'org.infinispan.jboss.marshalling.JBossUserMarshaller'"
    for i in range(3):
        assert extract(rec(message, i)) == [] == fresh(rec(message, i))


_pieces = st.sampled_from(MESSAGES + ["", " ", "\n\tat org.jgroups.JChannel.connect(JChannel.java:1)",
                                      "[Context=sessions] ", "(executor-thread-1) ", "x" * 50])


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(_pieces, min_size=1, max_size=3), threads=st.lists(st.sampled_from(THREADS), min_size=2,
                                                                         max_size=4))
def test_memo_equals_fresh_parse_property(parts, threads):
    message = "".join(parts)
    for i, t in enumerate(threads):
        for j in range(2):
            r = rec(message, 3 * i + j, t)
            assert extract(r) == fresh(r)


# ------------------------------------------------------------------------------------------------
# records: times read by position


def _without_fixed(monkeypatch):
    monkeypatch.setattr(records, "_fixed_format", lambda fmt: None)


FORMATS = ["%Y-%m-%d %H:%M:%S,%f", "%Y-%m-%d %H:%M:%S.%f", "%H:%M:%S,%f", "%H:%M:%S.%f",
           "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%b %d, %Y %I:%M:%S %p", "%d/%b/%Y:%H:%M:%S %z"]

_digit = st.sampled_from("0123456789" * 6 + "٣५")  # mostly ASCII digits, some other decimal digits
_char = st.one_of(_digit, st.sampled_from("-:,. /T"))


@st.composite
def _time_texts(draw):
    base = draw(st.sampled_from(["2024-05-01 06:00:05,066", "06:00:05,066", "2024/05/01 06:00:05.123456789",
                                 "2024-12-31 23:59:60,999", "2024-05-01 06:00:05", "6:00:05,066",
                                 "2024-5-1 06:00:05,066", "2024-02-30 24:61:05,0660000000"]))
    chars = list(base)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(chars) - 1))
        chars[i] = draw(_char)
    if draw(st.booleans()):
        chars.extend(draw(st.lists(_digit, max_size=4)))
    return "".join(chars)


@settings(max_examples=400, deadline=None)
@given(text=_time_texts(), fmt=st.sampled_from(FORMATS))
def test_fixed_width_times_read_like_the_general_pattern(text, fmt):
    fast = strptime_lite(text, fmt)
    with pytest.MonkeyPatch.context() as mp:
        _without_fixed(mp)
        slow = strptime_lite(text, fmt)
    assert fast == slow, (text, fmt)


def test_fixed_formats_recognized_and_refused():
    assert records._fixed_format("%Y-%m-%d %H:%M:%S,%f") is not None
    assert records._fixed_format("%H:%M:%S.%f") is not None
    for fmt in ("%b %d, %Y %I:%M:%S %p", "%d/%b/%Y:%H:%M:%S %z", "%H%M%S", "%Y-%m-%d", "%H:%M:%S,%f %Y",
                "%H:%M:%S,%f%%", "%Y-%m-%d 1%H:%M:%S"):
        assert records._fixed_format(fmt) is None, fmt
    assert strptime_lite("2024-05-01 06:00:05,066", "%Y-%m-%d %H:%M:%S,%f") == (
        datetime(2024, 5, 1).date(), datetime(2024, 5, 1, 6, 0, 5, 66000).time(), None)
    assert strptime_lite("2024-13-01 06:00:05,066", "%Y-%m-%d %H:%M:%S,%f") is None
    assert strptime_lite("24:00:05,066", "%H:%M:%S,%f") is None
    assert strptime_lite("6:00:05,066", "%H:%M:%S,%f") is not None  # one-digit hour: the general pattern


def _all_records(paths, opts=None):
    out = []
    for p in paths:
        lines = enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        info = SourceInfo(name=str(p))
        out.append((list(iter_records(lines, info, is_candidate, opts or ReadOptions(),
                                      sample_key=events.sample_key)), info))
    return out


def test_sample_logs_read_the_same_without_the_fast_paths(monkeypatch):
    paths = sorted(p for p in SAMPLES.glob("*/*.log") if p.stat().st_size < 400_000)
    assert len(paths) > 20
    fast = _all_records(paths)
    _without_fixed(monkeypatch)
    monkeypatch.setattr(records._Reader, "_thread_candidate", lambda self, thread: self.candidate(thread))
    slow = _all_records(paths)
    assert fast == slow


@pytest.mark.parametrize("line", [
    "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-12345) ISPN000094: x",
    "2024-05-01 23:59:60,999999999 INFO  [org.infinispan.CLUSTER] (main) ISPN000094: x",
    "2024-05-01 24:00:00,000 INFO  [org.infinispan.CLUSTER] (main) ISPN000094: x",
    "07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) x",
    "7:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) x",
    "2024-05-01 10:00:00.123 INFO  org.jgroups.protocols.pbcast.GMS - node-a-1234: x",
    "10:00:00.123 INFO  org.jgroups.protocols.pbcast.GMS - node-a-1234: x",
])
def test_one_line_the_same_without_the_fixed_path(line, monkeypatch):
    fast = parse_line(line)
    _without_fixed(monkeypatch)
    assert parse_line(line) == fast


# ------------------------------------------------------------------------------------------------
# records: the stern pre-test; the prefilter


def _stern_options(text: str) -> list[tuple[str, str, int]]:
    """The (pod, container) readings of the stern envelope, as the reader weighs them."""
    parts = text.split(" ", 3)
    if len(parts) < 3:
        return []
    a, b, c = parts[0], parts[1], parts[2]
    out = []
    if "-" in a and records._POD_NAME.fullmatch(a) and records._LABEL.fullmatch(b):
        out.append((a, b, len(a) + len(b) + 2))
    if len(parts) == 4 and records._LABEL.fullmatch(a) and "-" in b and records._POD_NAME.fullmatch(b) \
            and records._LABEL.fullmatch(c):
        out.append((b, c, len(a) + len(b) + len(c) + 3))
    return out


_word = st.sampled_from(["keycloak-0", "keycloak", "ns", "2024-05-01", "06:00:05,066", "INFO", "a-b", "-",
                         "", "Keycloak-0", "x.y-z", "ISPN000094:", "kc-0.svc"])


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_word, min_size=1, max_size=5))
def test_stern_pre_test_refuses_only_lines_without_a_reading(words):
    text = " ".join(words)
    reader = records._Reader(SourceInfo(name="x"), is_candidate, ReadOptions(), None)
    got = reader._stern(text, records._Line(1, text))
    if not _stern_options(text):
        assert got is None and reader.stern_shaped == 0
    else:
        assert reader.stern_shaped == 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("JGRPISN0_ERORsuspectdbeing -(:1")), max_size=40),
       word=st.sampled_from(CANDIDATE_WORDS + CANDIDATE_KEYWORDS + ("",)))
def test_prefilter_word_order_changes_nothing(text, word):
    line = text[: len(text) // 2] + word + text[len(text) // 2:]
    assert is_candidate(line) == any(k in line for k in CANDIDATE_KEYWORDS)
