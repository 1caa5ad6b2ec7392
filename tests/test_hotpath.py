"""The per-record fast paths give what the general ones give (issue 6: cheaper candidate records).

- ``catalogue.is_candidate``: the frequent words' keywords in Python, the others by the native
  scanner in one call; compared with the loop of ``in`` tests and with the plain definition.
- ``events.sample_key``: the other candidate words looked for by the native scanner; compared with
  its loop (the scanner switched off).
- ``fastscan._line_at`` reads a line inside the piece or the block in memory without copying 4 KiB
  first; ``_Windows._newline`` searches a newline the same way; compared with reading the file.
- ``records._fixed_time`` makes a date and time in the reader's zone at once; compared with the
  naive value given its zone afterwards, and records' times in other zones.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jgview import catalogue, events, fastscan, records
from jgview.catalogue import CANDIDATE_KEYWORDS, CANDIDATE_WORDS, is_candidate
from jgview.models import SourceInfo

UTC = timezone.utc

_PIECES = list(CANDIDATE_KEYWORDS) + list(CANDIDATE_WORDS) + [
    k[:-1] for k in CANDIDATE_KEYWORDS if len(k) > 3] + [k[1:] for k in CANDIDATE_KEYWORDS if len(k) > 3] + [
    "_ERROR", "_code", "user_session", "required client", "type=LOGIN_ERROR", "10:00", "é", "中文", "😀",
    "\n", "\x00", "\ud800", " ", "ISPN", "JGRP", "00", "0", "-", ":"]

_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)), max_size=12).map("".join)


def _plain(line: str) -> bool:
    return any(k in line for k in CANDIDATE_KEYWORDS)


def test_native_scanner_is_used_when_built():
    if fastscan._native() is None:
        pytest.skip("no native scanner here")
    events.make_native_tests()
    assert catalogue._KEYWORD_SCAN is not None and events._OTHER_SCAN is not None


def test_the_native_test_is_made_after_256_lines_and_answers_alike(monkeypatch):
    """A tiny log never pays for the native test (start-up); a longer one gets it, same answers."""
    if fastscan._native() is None:
        pytest.skip("no native scanner here")
    monkeypatch.setattr(catalogue, "_KEYWORD_SCAN", None)
    monkeypatch.setattr(catalogue, "_native_pending", True)
    monkeypatch.setattr(catalogue, "_lines_tested", 0)
    lines = [f"2024-05-01 10:00:{i % 60:02d},000 INFO [x] (main) line {i}" for i in range(400)]
    lines[3] += " ISPN000094"
    lines[300] += " JGRP000032"
    answers = []
    for i, line in enumerate(lines):
        answers.append(is_candidate(line))
        if i < catalogue.NATIVE_AFTER - 2:
            assert catalogue._KEYWORD_SCAN is None, i
    assert catalogue._KEYWORD_SCAN is not None and not catalogue._native_pending
    assert answers == [_plain(x) for x in lines] and answers.count(True) == 2


@settings(max_examples=1500, deadline=None)
@given(line=_text)
def test_is_candidate_is_the_plain_definition(line):
    assert is_candidate(line) == catalogue._is_candidate_words(line) == _plain(line)


@settings(max_examples=300, deadline=None)
@given(prefix=_text, suffix=_text, keyword=st.sampled_from(CANDIDATE_KEYWORDS))
def test_every_keyword_anywhere_is_found(prefix, suffix, keyword):
    assert is_candidate(prefix + keyword + suffix)


def test_is_candidate_on_long_and_odd_lines():
    long = "x" * 100_000
    for k in CANDIDATE_KEYWORDS:
        for line in (long + k, k + long, long + k[:-1] + "\n" + k[-1:] + long, "\ud800" + k, "é" * 50 + k):
            assert is_candidate(line) == _plain(line), (k, line[:20])
    assert not is_candidate(long) and not is_candidate("")


def test_is_candidate_without_the_native_scanner(monkeypatch):
    monkeypatch.setattr(catalogue, "_KEYWORD_SCAN", None)
    monkeypatch.setattr(catalogue, "_native_pending", False)
    for k in CANDIDATE_KEYWORDS:
        assert is_candidate("a " + k + " b")
    assert not is_candidate("2024-05-01 10:00:00,123 INFO [x] (main) nothing here")


_EVENT = ('2024-05-01 10:00:01,789 WARN  [org.keycloak.events] (executor-thread-3) '
          'type="CODE_TO_TOKEN_ERROR", realmId="r", clientId="web", userId="u", error="')


@settings(max_examples=800, deadline=None)
@given(head=st.sampled_from(["", _EVENT, "10:00 x_ERROR ", "\t_code", "user_session required client"]),
       rest=_text)
def test_sample_key_native_is_the_loop(head, rest):
    line = head + rest
    events.make_native_tests()
    got = events.sample_key(line)
    saved = events._OTHER_SCAN
    events._OTHER_SCAN = None
    try:
        want = events.sample_key(line)
    finally:
        events._OTHER_SCAN = saved
    assert got == want


# ------------------------------------------------------------------------------- reading lines


@contextmanager
def datafile(content: bytes):
    """A file descriptor of a temporary file holding ``content``."""
    with tempfile.TemporaryFile() as f:
        f.write(content)
        f.flush()
        yield f.fileno()


_lines = st.lists(st.one_of(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
                            st.integers(0, 9000).map(lambda n: b"y" * n)), min_size=1, max_size=12)


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return (a.start, a.end, bytes(a.raw), a.long) == (b.start, b.end, bytes(b.raw), b.long)


@settings(max_examples=150, deadline=None)
@given(lines=_lines, last_nl=st.booleans(), max_line=st.sampled_from([5, 64, 4096, 1 << 20]),
       cut=st.tuples(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)), data=st.data())
def test_line_at_in_memory_is_the_file(lines, last_nl, max_line, cut, data):
    content = b"\n".join(lines) + (b"\n" if last_nl else b"")
    with datafile(content) as fd:
        _check_line_at(fd, content, max_line, cut, data)


def _check_line_at(fd, content, max_line, cut, data):
    size = len(content)
    lo, hi = sorted((cut[0] % (size + 1), cut[1] % (size + 1)))
    starts = [0] + [i + 1 for i, c in enumerate(content) if c == 10 and i + 1 < size]
    offsets = sorted(set(starts + [data.draw(st.integers(0, size)) for _ in range(3)]))
    plain = fastscan._Data(fd, size)
    piece = fastscan._Data(fd, size)
    piece.piece_off, piece.piece = lo, memoryview(bytearray(content[lo:hi]))
    cached = fastscan._Data(fd, size)
    for off in offsets:
        want = fastscan._line_at(plain, off, max_line)
        plain._cache_off, plain._cache = -1, b""  # (the plain reading every time)
        assert _same(fastscan._line_at(piece, off, max_line), want), off
        cached._cache_off, cached._cache = lo, content[lo:hi]
        assert _same(fastscan._line_at(cached, off, max_line), want), off


@settings(max_examples=150, deadline=None)
@given(lines=_lines, cut=st.tuples(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
       probes=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(1, 70000)), min_size=1, max_size=5))
def test_newline_search_is_the_read(lines, cut, probes):
    content = b"\n".join(lines)
    with datafile(content) as fd:
        _check_newline(fd, content, cut, probes)


def _check_newline(fd, content, cut, probes):
    size = len(content)
    lo, hi = sorted((cut[0] % (size + 1), cut[1] % (size + 1)))
    for with_piece in (False, True):
        data = fastscan._Data(fd, size)
        if with_piece:
            data.piece_off, data.piece = lo, memoryview(content)[lo:hi]
        win = fastscan._Windows(data, SourceInfo(name="x"), 1 << 20, None)  # type: ignore[arg-type]
        for off, n in probes:
            off %= size + 1
            want = fastscan._Data(fd, size).read(off, n).find(b"\n")
            assert win._newline(off, n) == want, (off, n, with_piece)


# ------------------------------------------------------------------------------- times


_ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)),
          ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]
_FORMATS = ["%Y-%m-%d %H:%M:%S,%f", "%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%H:%M:%S,%f", "%H:%M:%S"]


@settings(max_examples=600, deadline=None)
@given(fmt=st.sampled_from(_FORMATS), tz=st.sampled_from(_ZONES),
       parts=st.tuples(st.integers(0, 10000), st.integers(0, 14), st.integers(0, 33), st.integers(0, 25),
                       st.integers(0, 61), st.integers(0, 61),
                       st.text("0123456789", min_size=1, max_size=10)))
def test_fixed_time_in_a_zone_is_the_naive_time_given_the_zone(fmt, tz, parts):
    y, mo, d, h, mi, s, frac = parts
    text = fmt
    for field, value in (("%Y", f"{y:04d}"), ("%m", f"{mo:02d}"), ("%d", f"{d:02d}"), ("%H", f"{h:02d}"),
                         ("%M", f"{mi:02d}"), ("%S", f"{s:02d}"), ("%f", frac)):
        text = text.replace(field, value)
    fixed = records._fixed_format(fmt)
    assert fixed is not None
    naive = records._fixed_time(text, fixed)
    zoned = records._fixed_time(text, fixed, tz)
    if isinstance(naive, datetime):
        assert naive.tzinfo is None
        assert zoned == naive.replace(tzinfo=tz) and zoned.tzinfo is tz
        assert records._to_utc(zoned, tz) == records._to_utc(naive, tz)  # (None for both past year 1 or 9999)
    else:
        assert zoned == naive and (zoned is None or zoned is False or isinstance(zoned, time))


@pytest.mark.parametrize("tz", _ZONES)
def test_record_times_in_any_zone(tz):
    view = "INFO  [org.infinispan.CLUSTER] (main) ISPN000094: Received new cluster view for channel ISPN:"
    lines = [f"2024-03-31 01:59:59,999 {view} [a|1] (2) [a, b]",  # (just before a DST change)
             f"2024-10-27 02:30:00,000 {view} [a|2] (1) [a]"]  # (an ambiguous hour in Paris)
    info = SourceInfo(name="x")
    numbered = list(enumerate(lines, 1))
    recs = list(records.iter_records(numbered, info, is_candidate, records.ReadOptions(tz=tz)))
    want = [datetime(2024, 3, 31, 1, 59, 59, 999000, tzinfo=tz).astimezone(UTC),
            datetime(2024, 10, 27, 2, 30, tzinfo=tz).astimezone(UTC)]
    assert [r.time for r in recs] == want
    assert all(r.time.tzinfo is UTC for r in recs)
    assert (info.first_time, info.last_time) == (min(want), max(want))
    fields = [(r.level, r.logger, r.thread, r.layout, r.lineno) for r in recs]
    assert fields == [("INFO", "org.infinispan.CLUSTER", "main", "keycloak", n) for n in (1, 2)]
