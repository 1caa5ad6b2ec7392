"""Spans: a big plain file split between worker processes gives what reading it whole gives.

``pipeline._plan`` splits a file with :func:`jgview.fastscan.split_spans`; each span is read by a
worker (lines numbered from its start), and ``pipeline._merge_spans`` puts them together again. The
answer must not change: same events (with their line numbers in the file), records, counts of
sampled and summarized lines, first and last times, verdict, clusters and findings."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from jgview import fastscan, pipeline
from jgview.models import Kind

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"

pytestmark = pytest.mark.skipif(not fastscan.native_available(), reason="spans are read by the native scanner")

KC = "2024-05-01 {h:02d}:{m:02d}:{s:02d},{ms:03d} {lvl:<5} [{logger}] ({thread}) {msg}"
VIEW = ("ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-111|{v}] ({n}) [{members}]")


def kc(sec: int, msg: str, *, lvl: str = "INFO", logger: str = "org.infinispan.CLUSTER",
       thread: str = "jgroups-7,keycloak-0-111", ms: int = 0) -> str:
    return KC.format(h=10 + sec // 3600, m=sec // 60 % 60, s=sec % 60, ms=ms, lvl=lvl, logger=logger, thread=thread,
                     msg=msg)


def busy_log(minutes: int = 12) -> list[str]:
    """A Keycloak log: per minute more than ten symptom lines (sampled and summarized), noise,
    a stack trace whose continuation holds a candidate word, views now and then."""
    lines: list[str] = []
    v = 1
    for m in range(minutes):
        for k in range(40):
            sec = m * 60 + k
            if k % 3 == 0:
                lines.append(kc(sec, "type=CODE_TO_TOKEN_ERROR, realmId=acme, clientId=web, userId=null, "
                                     f"error=expired_code, ip=10.0.0.{k}", lvl="WARN", logger="org.keycloak.events",
                                thread="executor-thread-4", ms=k))
            elif k % 7 == 0:
                lines.append(kc(sec, "Failed to connect", lvl="ERROR", logger="org.jgroups.protocols.TCP",
                                thread="main"))
                lines.append("java.net.ConnectException: Connection refused")
                lines.append("\tat org.jgroups.blocks.cs.TcpConnection.connect(TcpConnection.java:1)")
                lines.append("Caused by: org.jgroups.util.SuspectedException: JGRP000027: suspected keycloak-1-222")
            else:
                lines.append(kc(sec, f"type=LOGIN, realmId=acme, clientId=web, userId=u{k}",
                                logger="org.keycloak.events", thread="executor-thread-4"))
        if m % 3 == 1:
            v += 1
            members = ", ".join(["keycloak-0-111", "keycloak-1-222"][: 1 + v % 2])
            lines.append(kc(m * 60 + 50, VIEW.format(v=v, n=1 + v % 2, members=members)))
    return lines


def write(tmp: Path, name: str, lines: list[str]) -> Path:
    p = tmp / name
    p.write_text("\n".join(lines) + "\n")
    return p


def event_key(ev):
    return (ev.kind, ev.source, ev.lineno, ev.time, ev.time_of_day, ev.pod, ev.node, ev.channel, repr(ev.view),
            ev.members, ev.lost, ev.subject, repr(sorted(ev.detail.items(), key=str)), ev.level, ev.logger, ev.text)


def summary(a):
    return {
        "verdict": a.verdict,
        "sentence": a.sentence,
        "clusters": [[(c.view_id, tuple(c.members), tuple(c.seen_by)) for c in ch.clusters] for ch in a.channels],
        "findings": [(f.id, f.summary, tuple(f.evidence)) for f in a.findings],
        "events": [event_key(e) for e in a.events],
        "sources": [(s.name, s.lines, s.bytes, s.records, s.first_time, s.last_time, s.layout, s.time_only,
                     s.sampled_lines, tuple(s.pods), s.long_lines) for s in a.sources],
        "stats": a.stats,
        "problems": a.problems,
    }


@pytest.fixture
def spans(monkeypatch):
    """Spans of a few hundred bytes, two workers, the fast reader for every file; records which
    files were split (the parent plans the spans)."""
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    monkeypatch.setenv(fastscan.ENV_MIN, "0")
    monkeypatch.setenv(fastscan.ENV_SPAN_MIN, "300")
    monkeypatch.setattr(fastscan, "SPAN_MAX", 600)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    split: dict[str, int] = {}
    real = pipeline._merge_spans

    def recording(results):
        spans = [got for _part, got in results if got is not None and got[0] == "span"]
        if spans:
            split[spans[0][2][0].name] = len(spans)
        return real(results)

    monkeypatch.setattr(pipeline, "_merge_spans", recording)
    return split


def both(paths, monkeypatch, **opts):
    """(spans, one process) summaries of the same inputs."""
    monkeypatch.setenv("JGVIEW_WORKERS", "2")
    par = summary(pipeline.analyze([str(p) for p in paths], pipeline.AnalyzeOptions(**opts)))
    monkeypatch.setenv("JGVIEW_WORKERS", "1")
    seq = summary(pipeline.analyze([str(p) for p in paths], pipeline.AnalyzeOptions(**opts)))
    return par, seq


def assert_same(par, seq):
    for key in seq:
        assert par[key] == seq[key], key


SCENARIOS = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def test_every_sample_scenario_gives_the_same_analysis_in_spans(spans, monkeypatch):
    for name in SCENARIOS:
        par, seq = both([SAMPLES / name], monkeypatch)
        assert par == seq, name
    # the comparison means something: most scenarios' files were split, some in many spans
    assert sum(1 for n in spans.values() if n >= 2) >= 30, spans
    assert max(spans.values()) >= 8


def test_a_busy_log_in_many_spans(tmp_path, spans, monkeypatch):
    p = write(tmp_path, "keycloak-0.log", busy_log())
    par, seq = both([p], monkeypatch)
    assert_same(par, seq)
    assert spans[str(p)] >= 6
    # sampled lines and summarized symptoms were counted, not lost or doubled at span starts
    assert seq["sources"][0][8] > 0 and seq["stats"]["symptoms_summarized"] > 0
    kinds = {e[0] for e in seq["events"]}
    assert Kind.USER_SYMPTOM in kinds and Kind.VIEW in kinds
    # line numbers are the file's: each event's evidence is its line
    text = p.read_text().split("\n")
    for e in par["events"]:
        assert text[e[2] - 1] == e[-1]


def test_spans_start_at_a_record_of_a_new_minute(tmp_path):
    p = write(tmp_path, "keycloak-0.log", busy_log())
    got = fastscan.split_spans(str(p), 6)
    assert got and len(got) >= 3
    data = p.read_bytes()
    assert got[0][0] == 0 and got[-1][1] == len(data)
    for (a, b), (c, _d) in zip(got, got[1:]):
        assert b == c  # contiguous
        assert data[c - 1:c] == b"\n" and data[c:c + 4] == b"2024"  # a record's first line
        before = data[:c].rstrip(b"\n").rsplit(b"\n", 1)[-1]
        prev_record = [ln for ln in data[:c].split(b"\n") if ln.startswith(b"2024")][-1]
        assert prev_record[:16] != data[c:c + 16], (before, data[c:c + 40])


@pytest.mark.parametrize("lines", [
    # WildFly console: times of day only (their dates follow from the lines before)
    [f"10:{m:02d}:00,000 INFO  [org.infinispan.CLUSTER] (thread-{m}) ISPN000094: Received new cluster view for "
     f"channel ejb: [node-a|{m}] (1) [node-a]" for m in range(60)],
    # several pods' lines (kubectl logs --prefix)
    [f"[pod/keycloak-{m % 2}/keycloak] " + kc(m * 60, "type=LOGIN, realmId=acme") for m in range(60)],
])
def test_files_that_cannot_be_split(tmp_path, lines):
    p = write(tmp_path, "x.log", lines)
    assert fastscan.split_spans(str(p), 4) is None


def test_gzip_and_csv_are_not_split(tmp_path):
    lines = busy_log(3)
    gz = tmp_path / "k.log.gz"
    gz.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    assert fastscan.split_spans(str(gz), 4) is None
    csv = write(tmp_path, "k.csv", ["timestamp,pod,message"] + [f'"2024-05-01T10:00:{i % 60:02d}Z",kc-0,"x"'
                                                                   for i in range(300)])
    assert fastscan.split_spans(str(csv), 4) is None
    assert fastscan.split_spans(str(tmp_path / "missing.log"), 4) is None


def test_a_span_with_times_of_day_makes_the_file_read_whole(tmp_path, spans, monkeypatch):
    """A dated head, later lines with times of day only (dated by the lines before them): a span
    cannot date them, so the file is read again whole; the answer is the one-process answer."""
    lines = busy_log(6)
    lines += [f"10:{10 + m:02d}:00,000 INFO  [org.infinispan.CLUSTER] (thread-{m}) ISPN000094: Received new cluster "
              f"view for channel ISPN: [keycloak-0-111|{50 + m}] (1) [keycloak-0-111]" for m in range(30)]
    p = write(tmp_path, "keycloak-0.log", lines)
    merged = []
    real = pipeline._merge_spans
    monkeypatch.setattr(pipeline, "_merge_spans", lambda parts: merged.append(real(parts)) or merged[-1])
    par, seq = both([p], monkeypatch)
    assert_same(par, seq)
    assert spans[str(p)] >= 2 and merged == [None]


def test_parts_tile_the_file_whatever_their_number(tmp_path):
    """Every worker finds the same boundaries: the parts follow on, none twice, none missing."""
    p = write(tmp_path, "keycloak-0.log", busy_log())
    size = p.stat().st_size
    for parts in (2, 3, 7, 40, 200):
        got = [fastscan.resolve_span(str(p), k, parts, size) for k in range(parts)]
        spans = [g for g in got if g is not None]
        assert spans[0][0] == 0 and spans[-1][1] == size
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        assert len(spans) > 1
    # a file shorter than planned (rewritten meanwhile) is read whole
    assert fastscan.resolve_span(str(p), 1, 2, size + 10) == fastscan.WHOLE


_PARENT = [0]
_REAL_SPAN = pipeline._collect_span


def _dies_on_a_later_span(src, opts, span):
    """(replaces pipeline._collect_span; the forked workers inherit it)"""
    if os.getpid() != _PARENT[0] and span[0] > 0:
        os._exit(137)
    return _REAL_SPAN(src, opts, span)


def test_a_worker_killed_while_reading_a_span(tmp_path, spans, monkeypatch):
    p = write(tmp_path, "keycloak-0.log", busy_log(4))
    _PARENT[0] = os.getpid()
    monkeypatch.setattr(pipeline, "_collect_span", _dies_on_a_later_span)
    monkeypatch.setenv("JGVIEW_WORKERS", "2")
    a = pipeline.analyze([str(p)])
    assert [m for m in a.problems if "ended abruptly" in m and "keycloak-0.log" in m]
    monkeypatch.setenv("JGVIEW_WORKERS", "1")
    b = pipeline.analyze([str(p)])
    assert summary(a)["events"] == summary(b)["events"]


def test_span_count():
    mib = 1 << 20
    assert fastscan.span_count(358 * mib, 2) == 2
    assert fastscan.span_count(1790 * mib, 2) == 7  # at most SPAN_MAX bytes each
    assert fastscan.span_count(100 * mib, 2) == 1  # spans of SPAN_MIN bytes at least
    assert fastscan.span_count(358 * mib, 1) == 1


# ------------------------------------------------------------------------------------------------
# found by review: each gave a different answer in parts


SYM = "type=CODE_TO_TOKEN_ERROR, realmId=acme, clientId=web, userId=null, error=expired_code, ip=10.0.0.{k}"


def test_a_clock_that_goes_back_makes_the_file_read_whole(tmp_path, spans, monkeypatch):
    """Two logs one after the other in a file (a restarted container's, rotations concatenated):
    the same minutes in two parts would have their Keycloak events counted twice."""
    p = write(tmp_path, "keycloak-0.log", busy_log(4) + busy_log(4))
    par, seq = both([p], monkeypatch)
    assert_same(par, seq)
    assert seq["stats"]["symptoms_summarized"] > 0


def _mixed_minute(kind: str) -> list[str]:
    import json

    lines = []
    for m in range(6):
        for k in range(40):
            warn = k % 2 == 1
            msg = SYM.format(k=k) if warn else f"KC-SERVICES0001: something {k}"
            if kind == "json":  # the level before the time: the text before HH:MM changes within a minute
                lines.append(json.dumps({"level": "WARN" if warn else "INFO", "timestamp": f"2024-05-01T10:{m:02d}:{k:02d}.000Z",
                                         "loggerName": "org.keycloak.events" if warn else "org.keycloak.services",
                                         "message": msg}))
                continue
            line = kc(m * 60 + k, msg, lvl="WARN" if warn else "INFO",
                      logger="org.keycloak.events" if warn else "org.keycloak.services", thread="executor-thread-1")
            if kind == "ansi":  # a colour code per level before the time
                line = ("\x1b[33m" if warn else "\x1b[0m") + line + "\x1b[0m"
            elif kind == "kubectl-ts":  # kubectl's stamp 30 s after the application's
                s = m * 60 + k + 30
                line = f"2024-05-01T10:{s // 60:02d}:{s % 60:02d}.000000000Z " + line
            lines.append(line)
    return lines


@pytest.mark.parametrize("kind", ["json", "ansi", "kubectl-ts"])
def test_a_part_never_starts_inside_a_minute(tmp_path, spans, monkeypatch, kind):
    p = write(tmp_path, "keycloak-0.log", _mixed_minute(kind))
    par, seq = both([p], monkeypatch)
    assert_same(par, seq)
    assert seq["stats"]["symptoms_summarized"] > 0 and spans[str(p)] >= 2


def test_an_odd_first_line_does_not_decide_for_the_lines_that_look_alike(tmp_path, spans, monkeypatch):
    """Whether a line starts a record was remembered by the shape of its first 24 bytes: with
    ISO timestamps, only the timestamp. One line in another order at the top made every line a
    non-start, and each candidate's window ran 200 lines on (past a part's end: lines read twice)."""
    lines = ["2024-05-01T08:00:00.000Z INFO  (main) [org.infinispan.CLUSTER] ISPN000078: Starting JGroups channel "
             "`ISPN` with stack `kubernetes`"]
    for i in range(300):
        m, s = divmod(i * 7, 60)
        lines.append(f"2024-05-01T08:{m:02d}:{s:02d}.000Z INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-111) "
                     f"ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-111|{i}] (1) [keycloak-0-111]")
        lines.append(f"2024-05-01T08:{m:02d}:{s:02d}.500Z WARN  [org.keycloak.events] (executor-thread-1) "
                     + SYM.format(k=i % 200))
    p = write(tmp_path, "keycloak-0.log", lines)
    par, seq = both([p], monkeypatch)
    assert_same(par, seq)
    assert seq["stats"]["duplicates"] == 0 and len(seq["events"]) == 601
