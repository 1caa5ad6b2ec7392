"""fastscan: the fast reader of big inputs (native scanner and grep) gives the same answer as reading every line."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jgview import fastscan, pipeline, sources
from jgview.models import Kind, SourceInfo
from jgview.sources import Input
from jgview.sources import open_lines as slow_lines

from conftest import use_scanner

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"



@pytest.fixture(autouse=True, params=["native", "grep"])
def scanner(request, monkeypatch):
    """Every test runs with each scanner: the native one (``jgview._scan``) and GNU grep."""
    return use_scanner(request.param, monkeypatch)

KC_VIEW = ("{t} INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-111) ISPN000094: Received new cluster view "
           "for channel ISPN: [keycloak-0-111|{v}] ({n}) [{members}]")
NOISE = "{t} INFO  [org.keycloak.events] (executor-thread-4) type=LOGIN, realmId=acme, clientId=web, userId=u{i}"
TRACE = [
    "{t} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to start server",
    "java.lang.RuntimeException: Failed to start quarkus",
    "\tat io.quarkus.runner.ApplicationImpl.doStart(ApplicationImpl.java:1)",
    "\tat io.quarkus.runtime.Application.start(Application.java:101)",
    "Caused by: org.infinispan.commons.CacheConfigurationException: failed",
    "\tat org.infinispan.remoting.transport.jgroups.JGroupsTransport.buildChannel(JGroupsTransport.java:762)",
    "\tat org.infinispan.remoting.transport.jgroups.JGroupsTransport.start(JGroupsTransport.java:476)",
    "Caused by: java.lang.IllegalArgumentException: dns_query can not be null or empty",
    "\tat org.jgroups.protocols.dns.DNS_PING.validateProperties(DNS_PING.java:87)",
    "\t... 12 more",
]


@pytest.fixture
def small_windows(monkeypatch):
    """Windows that matter on small files: a short head, samples every few KiB, two ranges."""
    monkeypatch.setattr(fastscan, "HEAD_LINES", 3)
    monkeypatch.setattr(fastscan, "SAMPLE_EVERY", 2048)
    monkeypatch.setenv(fastscan.ENV_RANGES, "2")


def analyze(paths, fast: bool, monkeypatch, **opts):
    monkeypatch.setenv(fastscan.ENV_MIN, "0" if fast else "off")
    return pipeline.analyze([str(p) for p in paths], pipeline.AnalyzeOptions(**opts))


def event_key(ev):
    return (ev.kind, ev.source, ev.lineno, ev.time, ev.time_of_day, ev.pod, ev.node, ev.channel, repr(ev.view),
            repr(ev.subgroups), ev.members, ev.lost, ev.subject, repr(sorted(ev.detail.items(), key=str)), ev.level,
            ev.logger, ev.text)


def summary(a):
    return {
        "verdict": a.verdict,
        "sentence": a.sentence,
        "clusters": [[(c.view_id, tuple(c.members), tuple(c.seen_by)) for c in ch.clusters] for ch in a.channels],
        "findings": [(f.id, f.summary) for f in a.findings],
        "events": [event_key(e) for e in a.events],
        "sources": [(s.name, s.lines, s.bytes, s.first_time, s.last_time, s.layout, s.time_only) for s in a.sources],
        "problems": a.problems,
    }


def assert_same(paths, monkeypatch, **opts):
    fast = summary(analyze(paths, True, monkeypatch, **opts))
    slow = summary(analyze(paths, False, monkeypatch, **opts))
    for key in slow:
        assert fast[key] == slow[key], key
    return fast


def window_lines(path: Path, *, max_line: int = 4 << 20, ranges: int = 2):
    """(fast lines, slow lines as a dict, fast info, slow info)."""
    finfo = SourceInfo(name=str(path))
    it = fastscan.open_lines(Input(name=str(path), path=str(path), pod_hint=None), finfo, lambda m: None,
                             max_line=max_line, threshold=0, ranges=ranges)
    assert it is not None
    fast = list(it)
    sinfo = SourceInfo(name=str(path))
    slow = dict(slow_lines(Input(name=str(path), path=str(path), pod_hint=None), sinfo, lambda m: None,
                           max_line=max_line))
    return fast, slow, finfo, sinfo


def check_subset(path: Path, **kw):
    """Every line the fast path yields is the slow path's line of that number (samples aside:
    they are numbered inside their gap), in increasing order; every candidate line is there."""
    from jgview.catalogue import is_candidate

    fast, slow, finfo, sinfo = window_lines(path, **kw)
    numbers = [n for n, _ in fast]
    assert numbers == sorted(set(numbers))
    texts = set(slow.values())
    for n, text in fast:
        assert slow.get(n) == text or text in texts, n
    got = dict(fast)
    for n, text in slow.items():
        if is_candidate(text):
            assert got.get(n) == text, n
    assert (finfo.lines, finfo.bytes) == (sinfo.lines, sinfo.bytes)
    return fast, slow


# ------------------------------------------------------------------------------- sample_logs


SCENARIOS = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_sample_scenario_same_answer(scenario, small_windows, monkeypatch):
    assert_same([SAMPLES / scenario], monkeypatch)


def test_samples_really_read_in_windows(small_windows, monkeypatch):
    path = SAMPLES / "r15-channel-error" / "keycloak-2.log"
    fast, slow = check_subset(path)
    assert len(fast) < len(slow)


# ------------------------------------------------------------------------------- constructed logs


def _ts(sec: int, day: int = 1) -> str:
    return f"2024-05-{day:02d} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d},000"


def _noise(n: int, start: int = 0) -> list[str]:
    return [NOISE.format(t=_ts(start + i), i=i) for i in range(n)]


def _view(sec: int, v: int, members: list[str]) -> str:
    return KC_VIEW.format(t=_ts(sec), v=v, n=len(members), members=", ".join(members))


def write(tmp_path: Path, name: str, lines: list[str], end: str = "\n", mode: str = "w") -> Path:
    p = tmp_path / name
    data = end.join(lines) + end
    p.write_bytes(data.encode("utf-8", "surrogateescape"))
    return p


def test_candidates_at_the_range_split(tmp_path, small_windows, monkeypatch):
    members = ["keycloak-0-111", "keycloak-1-222"]
    for shift in range(-3, 4):
        lines = _noise(200)
        half = len("\n".join(lines)) // 2
        # a candidate line right where the split falls (± a few lines), and a trace across it
        acc = 0
        k = 0
        while acc < half:
            acc += len(lines[k]) + 1
            k += 1
        k += shift
        lines[k - 1] = _view(k, 1, members)
        lines[k] = _view(k + 1, 2, members)
        lines[k + 1:k + 1] = [t.format(t=_ts(k + 2)) for t in TRACE]
        p = write(tmp_path, f"split{shift}.log", lines)
        fast, slow = check_subset(p)
        a = assert_same([p], monkeypatch)
        assert len(a["events"]) >= 3


def test_multiline_records_joined_across_windows(tmp_path, small_windows, monkeypatch):
    members = [f"keycloak-{i}-{1000 + i}" for i in range(3)]
    view = _view(100, 3, members)
    lines = _noise(80)
    # a view wrapped over two physical lines (members continue on an indented line)
    lines += [view[: view.index("[keycloak-0-1000, ") + len("[keycloak-0-1000, ")], "    keycloak-1-1001, keycloak-2-1002]"]
    lines += _noise(80, 200)
    # a stack trace whose candidate is deep inside (look back to its first line)
    lines += [t.format(t=_ts(400)) for t in TRACE]
    lines += _noise(80, 500)
    p = write(tmp_path, "multi.log", lines)
    check_subset(p)
    a = assert_same([p], monkeypatch)
    dns = [e for e in a["events"] if "dns_query" in e[-1] + e[13]]
    assert dns and dns[0][3] is not None  # dated by the trace's first line


def test_jul_two_line_records(tmp_path, small_windows, monkeypatch):
    lines = []
    for i in range(150):
        lines += [f"May 01, 2024 10:{i // 60:02d}:{i % 60:02d} AM org.example.Service run", f"INFO: request {i} done"]
        if i in (40, 90):
            lines += [f"May 01, 2024 10:{i // 60:02d}:{i % 60:02d} AM org.jgroups.protocols.pbcast.GMS installView",
                      f"INFO: ISPN000094: Received new cluster view for channel ISPN: [node-a-1|{i}] (2) "
                      "[node-a-1, node-b-2]"]
    p = write(tmp_path, "jul.log", lines)
    check_subset(p)
    a = assert_same([p], monkeypatch)
    assert len(a["events"]) == 2 and all(e[3] is not None for e in a["events"])


def test_time_only_rollover_across_a_gap(tmp_path, small_windows, monkeypatch):
    def wf(sec: int, text: str) -> str:
        sec %= 86400
        return f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d},000 INFO  [org.example] (default task-1) {text}"

    gms = ("[org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) keycloak-0: no members "
           "discovered after 3005 ms: creating cluster as coordinator")
    lines = [wf(22 * 3600, "start")]
    lines.append(f"22:00:01,000 INFO  {gms}")
    # a day and a half of noise, one line every 5 minutes, without a candidate
    lines += [wf(22 * 3600 + 300 * i, f"tick {i}") for i in range(1, 36 * 12)]
    lines.append(f"10:00:02,000 INFO  {gms}")
    lines += [wf(10 * 3600 + 10 + i, "after") for i in range(20)]
    p = write(tmp_path, "server.log", lines)
    fast = assert_same([p], monkeypatch, date=__import__("datetime").date(2024, 5, 1))
    times = [e[3] for e in fast["events"]]
    assert len(times) == 2 and (times[1] - times[0]).days == 1


def test_odd_bytes_handled_as_the_slow_path(tmp_path, small_windows, monkeypatch):
    members = ["keycloak-0-111", "keycloak-1-222"]
    lines = _noise(60)
    lines.append(_view(70, 1, members) + " caf\xe9 \udcff")  # invalid UTF-8 inside
    lines += _noise(60, 100)
    lines.append("\x00\x00\x00" + _view(170, 2, members))  # NULs left by copytruncate
    lines += _noise(60, 200)
    lines.append("x" * 5000 + " ISPN000094 inside a very long line")
    lines += _noise(60, 300)
    crlf = write(tmp_path, "crlf.log", lines, end="\r\n")
    check_subset(crlf, max_line=1000)
    a = assert_same([crlf], monkeypatch)
    assert len(a["events"]) >= 2
    # no newline at the end, and a BOM at the start
    p = tmp_path / "bom.log"
    p.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8", "surrogateescape"))
    fast, _ = check_subset(p, max_line=1000)
    assert_same([p], monkeypatch)
    long_fast = [t for _, t in fast if "very long line" in t or t.startswith("xxxx")]
    assert long_fast and all(len(t.encode()) <= 1000 for t in long_fast)


def test_gzip_input_same_answer(tmp_path, small_windows, monkeypatch):
    members = ["keycloak-0-111", "keycloak-1-222"]
    lines = _noise(300) + [_view(400, 1, members)] + [t.format(t=_ts(401)) for t in TRACE] + _noise(300, 500)
    data = ("\n".join(lines) + "\n").encode()
    p = tmp_path / "keycloak-0.log.gz"
    half = len(data) // 2
    p.write_bytes(gzip.compress(data[:half]) + gzip.compress(data[half:]))  # two members
    check_subset(p)
    assert_same([p], monkeypatch)
    # truncated: what was read, then the same error as the slow path
    t = tmp_path / "keycloak-1.log.gz"
    t.write_bytes(gzip.compress(data)[:-200])
    errors: list[list[str]] = []
    for fast in (True, False):
        a = analyze([t], fast, monkeypatch)
        errors.append(a.problems)
    assert errors[0] == errors[1] and "truncated gzip" in errors[0][0]


def test_gzip_read_through_a_small_memory_window(tmp_path, small_windows, monkeypatch, scanner):
    """The native reader keeps inflated bytes in memory only from the reader's position on: with a
    window of a few KiB (instead of megabytes), views far apart, multi-line records, a long line
    and samples between them are all read as the slow path reads them, in bounded memory."""
    if scanner != "native":
        pytest.skip("the grep reader uses a temporary file")
    monkeypatch.setattr(fastscan, "RING_MAX", 4096)
    monkeypatch.setattr(fastscan, "RING_TAIL", 2048)
    monkeypatch.setattr(fastscan, "PIECE", 1 << 14)
    monkeypatch.setattr(sources, "_CHUNK", 1 << 14)  # inflated bytes handed on at a time
    monkeypatch.setattr(fastscan, "COALESCE", 1 << 14)
    monkeypatch.setattr(fastscan, "BACK_BYTES", 1 << 14)
    monkeypatch.setattr(fastscan, "FORWARD_BYTES", 1 << 14)
    members = ["keycloak-0-111", "keycloak-1-222"]
    lines: list[str] = []
    for k in range(12):
        lines += _noise(3000, k * 4000)
        lines.append(_view(k * 4000 + 3500, k + 1, members[: 1 + k % 2]))
        lines += [t.format(t=_ts(k * 4000 + 3501)) for t in TRACE]
        if k == 3:
            lines.append("x" * 70_000 + " JOIN(")
    data = ("\n".join(lines) + "\n").encode()
    p = tmp_path / "keycloak-0.log.gz"
    p.write_bytes(gzip.compress(data))
    peak = []
    real_append = fastscan._Ring.append

    def append(self, buf):
        real_append(self, buf)
        peak.append(self.kept)

    monkeypatch.setattr(fastscan._Ring, "append", append)
    check_subset(p)
    assert_same([p], monkeypatch)
    # not the file: a window's reach (the 70 KB line is read in growing steps, up to 256 KiB)
    assert peak and max(peak) < 400_000, max(peak)
    assert len(data) > 4_000_000


def test_reader_stopped_early_gives_its_buffers_back(tmp_path, small_windows, monkeypatch, scanner):
    """A reader closed after a few lines (the caller stopped) leaves no piece buffer taken, and the
    next reads of the same process work."""
    if scanner != "native":
        pytest.skip("piece buffers belong to the native reader")
    monkeypatch.setattr(fastscan, "PIECE", 1 << 12)
    monkeypatch.setattr(fastscan, "_BUFFERS", [])
    lines = []
    for k in range(40):
        lines += _noise(40, k * 100) + [_view(k * 100 + 50, k + 1, ["keycloak-0-111"])]
    p = write(tmp_path, "k.log", lines)
    for stop_after in (1, 5, 50, 10**9):
        it = fastscan.open_lines(Input(name=str(p), path=str(p), pod_hint=None), SourceInfo(name="x"), print,
                                 threshold=0)
        got = [x for _, x in zip(range(stop_after), it)]
        it.close()
        assert got
        assert fastscan._BUFFERS[0].free.qsize() == fastscan.AHEAD + 1
    check_subset(p)


def test_file_cut_short_while_read(tmp_path, small_windows, monkeypatch, scanner):
    """A log truncated in place while it is read (copytruncate rotation) gives a one-line error
    naming the file, after what was read; no crash, no hang. (The grep reader reads what is left,
    like the straightforward reader.)"""
    if scanner != "native":
        pytest.skip("the grep reader sees a shorter file as its end")
    monkeypatch.setattr(fastscan, "PIECE", 1 << 12)
    lines = []
    for k in range(60):
        lines += _noise(40, k * 100) + [_view(k * 100 + 50, k + 1, ["keycloak-0-111"])]
    p = write(tmp_path, "k.log", lines)
    errors: list[str] = []
    info = SourceInfo(name=str(p))
    it = fastscan.open_lines(Input(name=str(p), path=str(p), pod_hint=None), info, errors.append, threshold=0)
    got = [next(it) for _ in range(5)]
    with open(p, "r+b") as f:
        f.truncate(20_000)
    got += list(it)
    assert got and len(errors) == 1 and str(p) in errors[0] and "\n" not in errors[0]
    assert info.errors == errors


def _stored_member(data: bytes, level: int = 0) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def test_gzip_member_magic_cut_by_a_read(tmp_path, monkeypatch, scanner):
    """A gzip file whose next member starts one byte before the end of a 256 KiB read (its magic cut
    in two: ``\x1f`` | ``\x8b``) is read whole, not reported as corrupt (every reader)."""
    boundary = 1 << 18
    lines = [_view(i, i + 1, ["keycloak-0-111"]) if i % 97 == 0 else NOISE.format(t=_ts(i), i=i)
             for i in range(8000)]
    # a first member of exactly boundary - 1 bytes: stored (level 0) whole lines plus a filler line
    first = b""
    k = 0
    while len(_stored_member(first + (lines[k] + "\n").encode())) <= boundary - 200:
        first += (lines[k] + "\n").encode()
        k += 1
    member = None
    for extra in range(400):
        cand = _stored_member(first + b"x" * extra + b"\n")
        if len(cand) == boundary - 1:
            member = cand
            break
    assert member is not None
    rest = ("\n".join(lines[k:]) + "\n").encode()
    p = tmp_path / "keycloak-0.log.gz"
    p.write_bytes(member + _stored_member(rest, 1))
    a = assert_same([p], monkeypatch)
    assert a["problems"] == []
    assert sum(1 for e in a["events"] if e[0] is Kind.VIEW) == len(range(0, 8000, 97))


def test_gzip_bomb_stopped_by_the_fast_reader_too(tmp_path, monkeypatch, scanner):
    p = tmp_path / "bomb.log.gz"
    p.write_bytes(gzip.compress(_view(1, 1, ["a-1"]).encode() + b"\n" + b"a" * (40 << 20), 9))
    for fast in (True, False):
        a = analyze([p], fast, monkeypatch)
        assert len(a.problems) == 1 and "gzip bomb" in a.problems[0], a.problems


def test_gzip_samples_do_not_cut_records(tmp_path, monkeypatch, scanner):
    """Sample lines (one per SAMPLE_EVERY bytes) never fall inside the lines a candidate's window
    looks back over: a candidate that continues a stack trace keeps its record's time and level."""
    monkeypatch.setattr(fastscan, "SAMPLE_EVERY", 4096)
    lines = []
    for k in range(60):
        lines += _noise(60, k * 100)
        lines.append(f"{_ts(k * 100 + 70)} ERROR [org.infinispan.remoting.transport.jgroups.JGroupsTransport] (main) "
                     "failed to start channel")
        lines.append("org.infinispan.commons.CacheConfigurationException: failed")
        lines += [f"\tat org.example.Frame{j}.method(Frame{j}.java:{j})" for j in range(40 + k % 7)]
        lines.append("Caused by: java.lang.IllegalArgumentException: dns_query can not be null or empty")
    data = ("\n".join(lines) + "\n").encode()
    p = tmp_path / "keycloak-0.log.gz"
    p.write_bytes(gzip.compress(data, 1))
    a = assert_same([p], monkeypatch)
    assert sum(1 for e in a["events"] if e[0] is Kind.CHANNEL_ERROR) == 60


def _pod_logs(tmp_path, pods: int, *, views: int, noise: int) -> list[Path]:
    """keycloak-K.log for each pod: ``views`` views of its own, each after ``noise`` noise lines."""
    paths = []
    for k in range(pods):
        lines = []
        for i in range(views):
            lines += _noise(noise, i * 100) + [_view(i * 100 + 60, i + 1, [f"keycloak-{k}-{k}11"])]
        paths.append(write(tmp_path, f"keycloak-{k}.log", lines))
    return paths


def test_workers_forked_after_a_read_use_their_own_buffers(tmp_path, monkeypatch, scanner):
    """Reading a big file in this process, then several in forked workers: the workers never share
    the parent's piece buffers (their reads would land in each other's memory)."""
    monkeypatch.setattr(fastscan, "PIECE", 1 << 14)
    paths = _pod_logs(tmp_path, 3, views=60, noise=50)
    monkeypatch.setenv(fastscan.ENV_MIN, "0")
    pipeline.analyze([str(paths[0])])  # buffers made in this process
    monkeypatch.setenv("JGVIEW_WORKERS", "3")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    par = summary(pipeline.analyze([str(p) for p in paths]))
    monkeypatch.setenv("JGVIEW_WORKERS", "1")
    seq = summary(pipeline.analyze([str(p) for p in paths]))
    assert par == seq


_REAL_COLLECT = pipeline._collect_one
_PARENT = [0]


def _dies_in_a_worker(src, opts):
    """(replaces pipeline._collect_one; the forked workers inherit it)"""
    if os.getpid() != _PARENT[0] and src.name.endswith("keycloak-1.log"):
        os._exit(137)
    return _REAL_COLLECT(src, opts)


def test_a_worker_killed_is_read_again_and_said(tmp_path, monkeypatch, scanner):
    """A worker process that dies (the OOM killer) does not hang the run: its input is read again
    in the main process, with a one-line problem."""
    paths = _pod_logs(tmp_path, 2, views=20, noise=20)
    monkeypatch.setenv(fastscan.ENV_MIN, "0")
    monkeypatch.setenv("JGVIEW_WORKERS", "2")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    _PARENT[0] = os.getpid()
    monkeypatch.setattr(pipeline, "_collect_one", _dies_in_a_worker)
    a = pipeline.analyze([str(p) for p in paths])
    assert [m for m in a.problems if "ended abruptly" in m and "keycloak-1.log" in m]
    monkeypatch.setenv("JGVIEW_WORKERS", "1")
    b = pipeline.analyze([str(p) for p in paths])
    assert summary(a)["events"] == summary(b)["events"]


def test_workers_variable_not_a_number_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("JGVIEW_WORKERS", "auto")
    p = write(tmp_path, "k.log", _noise(5) + [_view(10, 1, ["keycloak-0-111"])])
    assert pipeline.analyze([str(p), str(p)]).verdict is not None


def test_candidate_line_longer_than_the_search_limit(tmp_path, small_windows, monkeypatch, scanner):
    """A candidate line longer than the bytes searched for a gzip line's end (64 MiB; 64 KiB here)
    is still read from a plain file: its first bytes hold the event, as reading every line finds."""
    monkeypatch.setattr(fastscan, "_SCAN_LIMIT", 1 << 16)
    monkeypatch.setattr(fastscan, "PIECE", 1 << 14)
    lines = _noise(30) + [_view(40, 2, ["keycloak-0-111"]) + " " + "y" * 1_500_000] + _noise(30, 50) + [
        _view(90, 3, ["keycloak-0-111"])]
    p = write(tmp_path, "keycloak-0.log", lines)
    check_subset(p, max_line=4096)  # lines cut at 4 KiB: the line's end is searched past the limit
    a = assert_same([p], monkeypatch)
    assert sum(1 for e in a["events"] if e[0] is Kind.VIEW) == 2


def test_kubectl_prefix_stream(tmp_path, small_windows, monkeypatch):
    members = ["keycloak-0-111", "keycloak-1-222"]
    lines = []
    for i in range(300):
        pod = f"keycloak-{i % 2}"
        lines.append(f"[pod/{pod}/keycloak] " + NOISE.format(t=_ts(i), i=i))
        if i in (50, 51):
            lines.append(f"[pod/{pod}/keycloak] " + _view(i, 2, members))
            lines += [f"[pod/{pod}/keycloak] " + t.format(t=_ts(i)) for t in TRACE[:4]]
    p = write(tmp_path, "pods.log", lines)
    check_subset(p)
    assert_same([p], monkeypatch)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["noise", "view", "trace", "indented", "crlf", "nul", "bad", "long", "blank",
                                  "jul", "json"]), min_size=1, max_size=120),
       st.booleans())
def test_lines_are_the_slow_paths_lines(tmp_path_factory, kinds, newline_at_end):
    """Whatever the mix, the fast path's lines are the slow path's, every candidate is there, and
    the line and byte counts are the same (two ranges, tiny head, samples every 2 KiB)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(fastscan, "HEAD_LINES", 2)
    mp.setattr(fastscan, "SAMPLE_EVERY", 2048)
    try:
        out = []
        for i, k in enumerate(kinds):
            t = _ts(i)
            out.append({
                "noise": NOISE.format(t=t, i=i),
                "view": _view(i, i + 1, ["a-1", "b-2"]),
                "trace": "\n".join(x.format(t=t) for x in TRACE),
                "indented": "    continued JGRP000032 text",
                "crlf": NOISE.format(t=t, i=i) + "\r",
                "nul": "\x00\x00" + _view(i, 1, ["a-1"]),
                "bad": NOISE.format(t=t, i=i) + " \udcfe\udcff ISPN000078",
                "long": "y" * 3000 + " JOIN(",
                "blank": "",
                "jul": "May 01, 2024 10:00:00 AM org.jgroups.protocols.pbcast.GMS x\nINFO: new coord is a-1",
                "json": '{"timestamp":"2024-05-01T10:00:00Z","level":"INFO","message":"ISPN000094: x"}',
            }[k])
        d = tmp_path_factory.mktemp("h")
        p = d / "gen.log"
        text = "\n".join(out) + ("\n" if newline_at_end else "")
        p.write_bytes(text.encode("utf-8", "surrogateescape"))
        if text:  # an empty file is left to the slow path
            check_subset(p, max_line=1500)
    finally:
        mp.undo()


# ------------------------------------------------------------------------------- when it does not apply


def test_grep_missing_means_the_slow_path(tmp_path, monkeypatch):
    lines = _noise(50) + [_view(60, 1, ["keycloak-0-111"])]
    p = write(tmp_path, "k.log", lines)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.setenv(fastscan.ENV_SCANNER, "grep")  # the native scanner needs no grep
    assert not fastscan.available()
    info = SourceInfo(name=str(p))
    assert fastscan.open_lines(Input(name=str(p), path=str(p), pod_hint=None), info, print, threshold=0) is None
    monkeypatch.setenv(fastscan.ENV_MIN, "0")
    a = pipeline.analyze([str(p)])
    assert a.stats["lines"] == 51 and len(a.events) == 1


def test_not_applied_to_small_csv_utf16_or_stdin(tmp_path, monkeypatch):
    def fast(p: Path, threshold: int = 0):
        return fastscan.open_lines(Input(name=str(p), path=str(p), pod_hint=None), SourceInfo(name="x"), print,
                                   threshold=threshold)

    small = write(tmp_path, "small.log", _noise(10))
    assert fast(small, threshold=1 << 20) is None
    csv = write(tmp_path, "export.csv", ["@timestamp,message"] + [f"2024-05-01T10:00:{i:02d}Z,hello" for i in range(9)])
    assert fast(csv) is None
    u16 = tmp_path / "u16.log"
    u16.write_bytes("\n".join(_noise(10)).encode("utf-16"))
    assert fast(u16) is None
    assert fastscan.open_lines(Input(name="<stdin>", path=None, pod_hint=None), SourceInfo(name="x"), print,
                               threshold=0) is None
    monkeypatch.setenv(fastscan.ENV_MIN, "off")
    assert fastscan.min_size() is None
    monkeypatch.setenv(fastscan.ENV_MIN, "123")
    assert fastscan.min_size() == 123


def test_threshold_default_is_big_files_only(monkeypatch):
    monkeypatch.delenv(fastscan.ENV_MIN, raising=False)
    assert fastscan.min_size() == fastscan.MIN_SIZE >= 1 << 20


def test_grep_command_is_an_argument_list_with_every_word():
    args = fastscan.grep_args("grep")
    assert args[0] == "grep" and "-a" in args and "-n" in args and "-b" in args and "-E" in args
    import re

    pattern = re.compile(args[-1].replace("\\", "\\\\").replace("\\\\", "\\"))
    for w in fastscan.grep_words():
        assert pattern.search(w), w


# ------------------------------------------------------------------------------- the narrowed words


def test_narrowed_words_lose_no_event():
    """``_ERROR`` lines are only grep'd when they can give an event: every other event-error line
    yields no event (checked over every event type and error the catalogue names)."""
    from jgview import catalogue, events
    from jgview.records import parse_line

    for word in fastscan.NARROWER:
        ids = [w for w, cw in catalogue.CANDIDATE_WORD_OF.items() if cw == word]
        assert ids == ["keycloak-event-error"]
    words = fastscan.grep_words()
    types = ["LOGIN_ERROR", "CODE_TO_TOKEN_ERROR", "REFRESH_TOKEN_ERROR", "CLIENT_LOGIN_ERROR", "LOGOUT_ERROR",
             "REGISTER_ERROR", "PERMISSION_TOKEN_ERROR"]
    errors = sorted(catalogue.SYMPTOM_ERRORS) + ["invalid_user_credentials", "user_not_found", "invalid_token",
                                                 "expired_code_x", "not_allowed"]
    for ty in types:
        for err in errors:
            for quoted in (False, True):
                q = '"' if quoted else ""
                for reason in ("", ", reason=" + q + catalogue.MISSING_CLIENT + q):
                    line = (f"2024-05-01 10:00:00,123 WARN  [org.keycloak.events] (executor-thread-1) type={q}{ty}{q}, "
                            f"realmId={q}acme{q}, clientId={q}web{q}, userId={q}u{q}, ipAddress={q}10.0.0.1{q}, "
                            f"error={q}{err}{q}{reason}")
                    got = list(events.extract(parse_line(line)))
                    if got:
                        assert any(w in line for w in words), line
