"""The native scanner (``jgview._scan``): the lines holding any word, their indexes and starts, and the
line count — the same as a plain Python reference at every SIMD level this CPU runs."""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_scan = pytest.importorskip("jgview._scan", reason="the native scanner is not built")

LEVELS = list(range(_scan.cpu_level() + 1))
WORDS = [b"ISPN000094", b"ISPN100002", b"JGRP000032", b"JOIN(", b"ACKs", b"creating cluster",
         b"expired_code", b"new coord", b"suspect(", b"to DB"]


def reference(buf: bytes, words: list[bytes], start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    hits = []
    idx = 0
    pos = start
    while pos < end:
        nl = buf.find(b"\n", pos, end)
        line = buf[pos:nl if nl >= 0 else end]
        if any(w in line for w in words):
            hits.append((idx, pos))
        if nl < 0:
            break
        idx += 1
        pos = nl + 1
    return hits, buf.count(b"\n", start, end)


def scan_all(sc, buf: bytes, start: int = 0, end: int = -1, max_hits: int = -1):
    """Every hit, taking ``max_hits`` at a time as the reader does."""
    end = len(buf) if end < 0 else end
    hits: list[tuple[int, int]] = []
    lines = 0
    pos = start
    while True:
        got, stop, n = sc.scan(buf, pos, end, max_hits)
        hits.extend((lines + i, s) for i, s in got)
        lines += n
        assert pos <= stop <= end
        if stop >= end:
            return hits, lines
        assert max_hits >= 0 and len(got) == max_hits
        pos = stop


def noise(rng: random.Random, n: int) -> bytes:
    alphabet = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_()[]:,.=\t\xc3\xa9\x00\xff"
    out = bytearray()
    while len(out) < n:
        k = rng.randrange(0, 200)
        out += bytes(rng.choice(alphabet) for _ in range(k)) + b"\n"
    return bytes(out[:n])


def planted(rng: random.Random, n: int, words: list[bytes]) -> bytes:
    """Noise with words planted at random places, also right at 32/64-byte block edges and at the
    very start and end."""
    buf = bytearray(noise(rng, n))
    for _ in range(max(1, n // 300)):
        w = rng.choice(words)
        at = rng.randrange(0, max(1, len(buf) - len(w)))
        if rng.random() < 0.3:
            at = (at // 64) * 64 + rng.choice([-2, -1, 0, 1, 30, 31, 32, 33, 62, 63])
            at = max(0, min(at, len(buf) - len(w)))
        buf[at:at + len(w)] = w
    buf[0:len(words[0])] = words[0]
    buf[len(buf) - len(words[-1]):] = words[-1]
    return bytes(buf)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(6))
def test_same_as_reference(level: int, seed: int) -> None:
    rng = random.Random(seed)
    buf = planted(rng, rng.choice([1, 50, 1000, 70_000]), WORDS)
    sample = buf[: rng.choice([0, 100, 10_000])]
    sc = _scan.Scanner(WORDS, sample, level)
    assert sc.level == level
    for _ in range(20):
        start = rng.randrange(0, len(buf) + 1)
        end = rng.randrange(start, len(buf) + 1)
        # ranges start at a line start, as the reader's do
        if start and buf[start - 1:start] != b"\n":
            nl = buf.find(b"\n", start, end)
            start = end if nl < 0 else nl + 1
        want = reference(buf, WORDS, start, end)
        assert scan_all(sc, buf, start, end) == want
        assert scan_all(sc, buf, start, end, max_hits=rng.choice([1, 2, 7])) == want


@pytest.mark.parametrize("level", LEVELS)
def test_lines_hits_and_counts(level: int) -> None:
    sc = _scan.Scanner([b"ISPN000094", b"JOIN("], b"", level)
    buf = b"a\nx ISPN000094 ISPN000094 JOIN(\n\nJOIN(b\nno\nlast ISPN000094"
    hits, stop, lines = sc.scan(buf)
    assert hits == [(1, 2), (3, 33), (5, 43)]  # one hit per line, however many words it holds
    assert (stop, lines) == (len(buf), 5)
    # a word cut by the end of the range is not there
    assert sc.scan(buf, 0, len(buf) - 1)[0] == [(1, 2), (3, 33)]
    assert sc.scan(b"") == ([], 0, 0)
    assert sc.scan(b"\n\n\n") == ([], 3, 3)


@pytest.mark.parametrize("level", LEVELS)
def test_long_buffers_every_block_offset(level: int) -> None:
    """A word at every offset of a 64-byte block, at the start, middle and end of a long buffer."""
    word = b"creating cluster"
    sc = _scan.Scanner([word, b"to DB"], b"", level)
    for base in (0, 4096, 100_000 - 200):
        for k in range(70):
            buf = bytearray(b"x" * 100_000)
            buf[base + k:base + k + len(word)] = word
            buf[50_000] = 10  # a newline in the middle
            got = sc.scan(bytes(buf))[0]
            assert len(got) == 1
            assert got[0] == ((0, 0) if base + k < 50_000 else (1, 50_001))


@pytest.mark.parametrize("level", LEVELS)
def test_non_ascii_words(level: int) -> None:
    words = ["é suspect".encode(), b"\xff\xfe", b"plain"]
    sc = _scan.Scanner(words, b"", level)
    buf = b"a\n" + "x é suspect y".encode() + b"\n" + b"\x7f\x7e not it\n" + b"\xff\xfe\n" + b"plain"
    assert sc.scan(buf)[0] == reference(buf, words, 0, len(buf))[0]
    assert len(sc.scan(buf)[0]) == 3


def test_anchors_prefer_rare_bigrams() -> None:
    """The anchors come from the sample: a bigram frequent there is avoided when the word has a
    rarer one."""
    sample = b"the the the the cluster cluster cluster " * 1000
    sc = _scan.Scanner([b"creating cluster"], sample, 0)
    (word, off), = sc.anchors
    assert word[off:off + 2] not in sample
    assert sc.pairs == 1


@pytest.mark.parametrize("bad", [[], [b"a"], [b"a\nb"], [b"x" * 300], ["text"], [b"ok", 3]])
def test_bad_words(bad) -> None:
    with pytest.raises((ValueError, TypeError)):
        _scan.Scanner(bad)


def test_threads_scan_at_once() -> None:
    """The scan runs without the GIL: threads sharing one scanner get the same answers."""
    rng = random.Random(7)
    bufs = [planted(rng, 200_000, WORDS) for _ in range(4)]
    sc = _scan.Scanner(WORDS, bufs[0][:50_000])
    want = [reference(b, WORDS, 0, len(b)) for b in bufs]
    got: list = [None] * 4

    def work(k: int) -> None:
        for _ in range(5):
            got[k] = scan_all(sc, bufs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == want


def test_scan_accepts_buffers() -> None:
    sc = _scan.Scanner([b"JOIN("])
    data = b"a\nJOIN(x\n"
    assert sc.scan(bytearray(data)) == sc.scan(memoryview(data)) == sc.scan(data) == ([(1, 2)], 9, 2)
    with pytest.raises(TypeError):
        sc.scan("text")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.binary(min_size=2, max_size=12).filter(lambda w: b"\n" not in w), min_size=1, max_size=12),
    body=st.lists(st.one_of(st.binary(max_size=80), st.sampled_from([b"\n", b"\n\n"])), max_size=40),
    data=st.data(),
)
def test_property_same_as_reference(words, body, data) -> None:
    buf = bytearray()
    for part in body:
        buf += part
        if data.draw(st.booleans()):
            buf += data.draw(st.sampled_from(words))
    buf = bytes(buf)
    level = data.draw(st.sampled_from(LEVELS))
    sc = _scan.Scanner(words, buf[: data.draw(st.integers(0, len(buf)))], level)
    max_hits = data.draw(st.sampled_from([-1, 1, 3]))
    assert scan_all(sc, buf, 0, len(buf), max_hits) == reference(buf, words, 0, len(buf))


def test_failed_init_leaves_no_half_built_scanner() -> None:
    """After __init__ fails (bad word, too many distinct anchors), the object answers cleanly."""
    s = _scan.Scanner.__new__(_scan.Scanner)
    with pytest.raises(TypeError):
        s.__init__([b"ab", 1])
    assert s.anchors == []
    with pytest.raises(RuntimeError):
        s.scan(b"ab\n")
    many = [bytes([a, b]) for a in range(33, 43) for b in range(33, 43)]  # 100 distinct bigrams
    with pytest.raises(ValueError):
        s.__init__(many)
    with pytest.raises(RuntimeError):
        s.scan(b"!!" * 100)
    s.__init__([b"ab"])  # and it can still be initialized
    assert s.scan(b"x\nab\n")[0] == [(1, 2)]
    with pytest.raises(RuntimeError):
        s.__init__([b"cd"])
