"""CRI partial lines: the fast reader loses no line whose keyword a container runtime cut.

A container runtime's log file (``/var/log/pods/…/0.log``) stores ``<time> stdout|stderr P|F <text>``;
a long line is split into partial lines (``P``: containerd at 16 KiB, CRI-O at its pipe reads,
wherever they fall, inside a keyword or a multi-byte character too) and a last one (``F``). The
records stage joins the pieces into one record; the fast reader (``jgview.fastscan``) scans the
physical lines for keywords, and a keyword cut between two pieces is in neither of them. These
tests say that the fast reader still reads every piece of such a line (with the start of its
record), for plain and gzip files, with the native scanner and with grep, in the spans of a file
read by several workers, and that files without partial lines are read as before."""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path

import pytest

from jgview import fastscan, pipeline
from jgview.catalogue import is_candidate
from jgview.models import SourceInfo
from jgview.sources import Input
from jgview.sources import open_lines as slow_lines

from conftest import use_scanner

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"

VIEW = ("{t} INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-111) ISPN000094: Received new cluster view "
        "for channel ISPN: [keycloak-0-111|{v}] (2) [keycloak-0-111, keycloak-1-222]")
GMS = ("{t} DEBUG [org.jgroups.protocols.pbcast.GMS] (jgroups-5,keycloak-0-111) keycloak-0-111: installing "
       "view [keycloak-0-111|{v}] (2) [keycloak-0-111, keycloak-1-222] (1 joined)")
NO_ADDRESS = ("{t} WARN  [org.jgroups.protocols.TCP] (TQ-Bundler-7,keycloak-0-111) JGRP000032: "
              "keycloak-0-111: no physical address for keycloak-1-222-{v}, dropping message")
NOISE = ("{t} INFO  [org.keycloak.events] (executor-thread-4) type=LOGIN, realmId=acme, clientId=web, "
         "userId=u{i}, ipAddress=10.0.0.{i}")

WORDINGS = [(VIEW, "ISPN000094"), (GMS, "installing view"), (NO_ADDRESS, "JGRP000032")]

CRI_PREFIX = re.compile(rb"\d{4}-\d\d-\d\dT\S{8,40} (?:stdout|stderr) ([PF])(?: |$)")
"""A CRI line's prefix (group 1: ``P``, a partial line, or ``F``), as the records stage peels it."""


@pytest.fixture(params=["native", "grep"])
def scanner(request, monkeypatch):
    """Each test runs with each scanner: the native one (``jgview._scan``) and GNU grep."""
    return use_scanner(request.param, monkeypatch)


@pytest.fixture
def small_windows(monkeypatch):
    """Windows that matter on small files: a short head, samples every few KiB, two ranges."""
    monkeypatch.setattr(fastscan, "HEAD_LINES", 3)
    monkeypatch.setattr(fastscan, "SAMPLE_EVERY", 2048)
    monkeypatch.setenv(fastscan.ENV_RANGES, "2")


# ------------------------------------------------------------------------------------------------
# writing CRI files


def kc_time(sec: int) -> str:
    return f"2024-05-01 10:{sec // 60 % 60:02d}:{sec % 60:02d},{sec % 1000:03d}"


def cri_time(sec: int) -> str:
    """containerd's RFC3339Nano: trailing zeros of the fraction dropped."""
    frac = f"{(sec * 7919) % 1_000_000_000:09d}".rstrip("0")
    return f"2024-05-01T10:{sec // 60 % 60:02d}:{sec % 60:02d}{'.' + frac if frac else ''}Z"


def cri(text: str | bytes, sec: int, cuts: list[int] = (), stream: str = "stdout") -> list[bytes]:
    """The CRI lines of one line of text cut at these byte offsets."""
    data = text.encode() if isinstance(text, str) else text
    bounds = [0, *sorted(cuts), len(data)]
    pieces = [data[a:b] for a, b in zip(bounds, bounds[1:])]
    prefix = f"{cri_time(sec)} {stream} ".encode()
    return [prefix + (b"P " if k < len(pieces) - 1 else b"F ") + p for k, p in enumerate(pieces)]


def noise(sec: int, n: int) -> list[bytes]:
    out: list[bytes] = []
    for i in range(n):
        out += cri(NOISE.format(t=kc_time(sec + i), i=i), sec + i, stream="stderr" if i % 3 else "stdout")
    return out


def write(path: Path, lines: list[bytes], gz: bool = False) -> Path:
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def cut_log(wording: str, keyword: str, gap: int = 30) -> tuple[list[bytes], int]:
    """A log where the wording's keyword is cut at every offset inside it, once each, stdout and
    stderr in turn, the lines apart; and how many were cut."""
    lines = noise(0, 20)
    sec = 100
    n = 0
    for k in range(1, len(keyword)):
        text = wording.format(t=kc_time(sec), v=k)
        at = text.encode().index(keyword.encode()) + k
        lines += cri(text, sec, [at], "stdout" if k % 2 else "stderr")
        lines += noise(sec + 1, gap)
        sec += gap + 2
        n += 1
    return lines, n


# ------------------------------------------------------------------------------------------------
# reading


def fast_lines(path: Path, span: tuple[int, int] | None = None, max_line: int = 4 << 20) -> dict[int, str]:
    info = SourceInfo(name=str(path))
    it = fastscan.open_lines(Input(name=str(path), path=str(path), pod_hint=None), info, lambda m: None,
                             threshold=0, max_line=max_line, span=span)
    assert it is not None
    got = list(it)
    numbers = [n for n, _ in got]
    assert numbers == sorted(set(numbers))  # increasing, each once
    return dict(got)


def all_lines(path: Path) -> dict[int, str]:
    return dict(slow_lines(Input(name=str(path), path=str(path), pod_hint=None), SourceInfo(name=str(path)),
                           lambda m: None))


def _body(text: str) -> tuple[str, bool]:
    m = CRI_PREFIX.match(text.encode())
    if m is None:
        return text, False
    return text[len(text.encode()[:m.end()].decode("utf-8", "replace")):], m.group(1) == b"P"


def joined_runs(lines: dict[int, str]) -> list[list[int]]:
    """The runs of lines (partial lines and the line after the last) whose joined text holds a
    keyword that none of them holds: what the records stage reads as one line."""
    runs: list[list[int]] = []
    run: list[int] = []
    text = ""
    for n in sorted(lines):
        body, partial = _body(lines[n])
        run.append(n)
        text += body
        if not partial:
            if len(run) > 1 and is_candidate(text) and not any(is_candidate(lines[k]) for k in run):
                runs.append(run)
            run, text = [], ""
    return runs


def assert_runs_read(fast: dict[int, str], lines: dict[int, str], expect: int) -> None:
    """Every line the fast reader gives is the line of that number (sample lines aside: they are
    numbered inside their gap); every line of every cut run is given (from the run's first line:
    the start of the record)."""
    texts = set(lines.values())
    for n, text in fast.items():
        assert lines.get(n) == text or text in texts, n
    runs = joined_runs(lines)
    assert len(runs) == expect
    for run in runs:
        missing = [n for n in run if fast.get(n) != lines[n]]
        assert not missing, (run, missing, [lines[n][:120] for n in run])


# ------------------------------------------------------------------------------------------------
# a keyword cut at every offset


@pytest.mark.parametrize(("wording", "keyword"), WORDINGS, ids=[k for _w, k in WORDINGS])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_a_keyword_cut_at_every_offset_is_read(tmp_path, small_windows, scanner, wording, keyword, gz):
    lines, n = cut_log(wording, keyword)
    p = write(tmp_path / ("k.log.gz" if gz else "k.log"), lines, gz)
    assert_runs_read(fast_lines(p), all_lines(p), n)


def test_a_keyword_cut_at_every_offset_is_read_in_spans(tmp_path, monkeypatch):
    """A file split between workers: each span's reader finds the cut keywords of its part."""
    if not fastscan.native_available():
        pytest.skip("spans are read by the native scanner")
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    monkeypatch.setattr(fastscan, "HEAD_LINES", 3)
    lines, n = cut_log(VIEW, "ISPN000094", gap=70)  # (over a minute between two: a span may start there)
    p = write(tmp_path / "k.log", lines)
    spans = fastscan.split_spans(str(p), 6)
    assert spans and len(spans) >= 4
    data = p.read_bytes()
    fast: dict[int, str] = {}
    for a, b in spans:
        base = data.count(b"\n", 0, a)
        # no span starts after a partial line
        before = data[:a].rstrip(b"\n").rsplit(b"\n", 1)[-1]
        assert a == 0 or CRI_PREFIX.match(before).group(1) == b"F"
        fast.update((base + k, text) for k, text in fast_lines(p, span=(a, b)).items())
    assert_runs_read(fast, all_lines(p), n)


def test_a_keyword_over_three_pieces_and_a_cut_character(tmp_path, small_windows, scanner):
    """The runtime cuts bytes: inside a multi-byte character just before the keyword, and a piece
    shorter than the keyword (the end of the text joined so far is carried over it)."""
    lines = noise(0, 20)
    sec = 100
    cases = 0
    for k, (char, gap) in enumerate([("é", 0), ("€", 1), ("😀", 3), ("ü", 0), ("€", 5)]):
        text = VIEW.format(t=kc_time(sec), v=k).replace("(jgroups-7,keycloak-0-111) ",
                                                       f"(jgroups-7,keycloak-0-111) {char}" + "x" * gap)
        data = text.encode()
        at = data.index(b"ISPN000094")
        c = data.index(char.encode())
        cuts = [c + 1, at + 3, at + 7]  # inside the character; the keyword over three pieces
        lines += cri(data, sec, cuts, "stderr" if k % 2 else "stdout")
        lines += noise(sec + 1, 30)
        sec += 40
        cases += 1
    p = write(tmp_path / "k.log", lines)
    got = all_lines(p)
    assert any("\ufffd" in t for t in got.values())  # (the pieces do not decode alone)
    assert_runs_read(fast_lines(p), got, cases)
    gz = write(tmp_path / "k.log.gz", lines, True)
    assert_runs_read(fast_lines(gz), all_lines(gz), cases)


# ------------------------------------------------------------------------------------------------
# long runs


def long_line(size: int, keyword_at: int) -> bytes:
    """A ~``size``-byte log line with the JGRP000032 keyword at byte ``keyword_at`` (and no other)."""
    head = f"{kc_time(100)} WARN  [org.jgroups.protocols.TCP] (TQ-Bundler-7,keycloak-0-111) ".encode()
    filler = b"".join(b"member-%06d, " % i for i in range(size // 15 + 1))
    body = head + filler[:keyword_at - len(head)]
    body += b"JGRP000032: keycloak-0-111: no physical address for keycloak-1-222, dropping message "
    return body + filler[: max(0, size - len(body))]


@pytest.mark.parametrize("piece", [30, 1, 63])
def test_a_long_line_cut_into_many_pieces(tmp_path, small_windows, scanner, monkeypatch, piece):
    """A 1 MiB line in 16 KiB pieces, its keyword cut between two of them (early, in the middle,
    near the end): every piece is read, with the first; the run is walked once (the work grows
    with its pieces, not their square), and the scan reads the file in parts smaller than the run."""
    monkeypatch.setattr(fastscan, "PIECE", 1 << 16)
    chunk = 16 << 10
    data = long_line(1 << 20, piece * chunk - 5)
    cuts = list(range(chunk, len(data), chunk))
    lines = noise(0, 40) + cri(data, 99, cuts, "stderr") + noise(101, 200)
    p = write(tmp_path / "k.log", lines)

    calls = [0]
    real = getattr(fastscan, "_keyword_test", None)  # (the test of a joined text)

    def counting(*args):
        test = real(*args)

        def counted(buf, start, end):
            calls[0] += 1
            return test(buf, start, end)
        return counted

    monkeypatch.setattr(fastscan, "_keyword_test", counting, raising=False)
    windows = [0]
    real_window = fastscan._Windows.window_line

    def window_line(self, *a, **kw):
        windows[0] += 1
        return real_window(self, *a, **kw)

    monkeypatch.setattr(fastscan._Windows, "window_line", window_line)
    fast = fast_lines(p)
    got = all_lines(p)
    assert_runs_read(fast, got, 1)
    assert len(joined_runs(got)[0]) == len(cuts) + 1
    assert calls[0] <= 2 * (len(cuts) + 2)
    assert windows[0] <= 3


# ------------------------------------------------------------------------------------------------
# the answer: the same as reading every line


def _cut_sample(path: Path, rnd: random.Random) -> list[bytes]:
    """A sample log as a runtime would store it, some lines cut into pieces: inside keywords
    mostly, elsewhere too."""
    words = [w.decode() for w in fastscan.scan_words()]
    out: list[bytes] = []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n")[:-1]):
        data = line.encode()
        cuts = set()
        for w in words:
            k = line.find(w)
            if k >= 0 and rnd.random() < 0.5:
                cuts.add(len(line[:k].encode()) + rnd.randint(1, len(w) - 1))
        if rnd.random() < 0.2 and len(data) > 2:
            cuts.update(rnd.randint(1, len(data) - 1) for _ in range(rnd.randint(1, 5)))
        stream = "stdout" if rnd.random() < 0.5 else "stderr"
        out += cri(data, i, sorted(c for c in cuts if 0 < c < len(data)), stream)
    return out


def event_key(ev):
    return (ev.kind, ev.source, ev.lineno, ev.time, ev.pod, ev.node, ev.channel, repr(ev.view), ev.members,
            ev.lost, ev.subject, repr(sorted(ev.detail.items(), key=str)), ev.text)


def answer(path: Path, fast: bool, monkeypatch):
    monkeypatch.setenv(fastscan.ENV_MIN, "0" if fast else "off")
    a = pipeline.analyze([str(path)])
    sources = [(s.lines, s.bytes, s.records, s.first_time, s.last_time, s.layout) for s in a.sources]
    return [event_key(e) for e in a.events], sources


CUT_SAMPLES = ["r01-dns-ping-clusterip", "r02-not-ready-dns", "r12-rolling-update-data-loss",
               "layout-docker-json", "json-layout", "r11-partition-merge", "seed-split"]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_sample_logs_stored_by_a_runtime_give_the_same_answer(tmp_path, small_windows, gz, monkeypatch):
    """Sample scenarios' logs stored as CRI files with lines cut into pieces: the fast reader's
    events are the line-by-line reader's (each piece of a record parsed as the records stage does:
    a partial line only starts a line, a JSON record is never whole in one)."""
    if not fastscan.native_available():
        pytest.skip("the native scanner is not built")
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    checked = 0
    for name in CUT_SAMPLES:
        for k, src in enumerate(sorted((SAMPLES / name).glob("*.log"))):
            for seed in range(2):
                lines = _cut_sample(src, random.Random(f"{name}/{src.name}/{seed}"))
                p = write(tmp_path / f"{name}-{k}-{seed}.log{'.gz' if gz else ''}", lines, gz)
                assert answer(p, True, monkeypatch) == answer(p, False, monkeypatch), p.name
                checked += 1
    assert checked >= 20


def test_spans_of_a_cri_file_give_the_answer_of_one_reader(tmp_path, monkeypatch):
    if not fastscan.native_available():
        pytest.skip("spans are read by the native scanner")
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    monkeypatch.setenv(fastscan.ENV_MIN, "0")
    monkeypatch.setenv(fastscan.ENV_SPAN_MIN, "300")
    monkeypatch.setattr(fastscan, "SPAN_MAX", 2000)
    monkeypatch.setattr(fastscan, "HEAD_LINES", 3)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    lines, _n = cut_log(VIEW, "ISPN000094", gap=70)
    p = write(tmp_path / "keycloak-0.log", lines)
    split = []
    real = pipeline._merge_spans
    def merge(results):
        split.append(sum(1 for _p, g in results if g and g[0] == "span"))
        return real(results)

    monkeypatch.setattr(pipeline, "_merge_spans", merge)
    got = {}
    for workers in ("2", "1"):
        monkeypatch.setenv("JGVIEW_WORKERS", workers)
        got[workers] = [event_key(e) for e in pipeline.analyze([str(p)]).events]
    assert split and split[0] >= 3
    assert got["2"] == got["1"]


def test_the_line_by_line_reader_finds_a_cut_view(tmp_path, monkeypatch):
    """The records stage tests a line joined to the partial line before it for keywords (it reads
    the pieces as one line): both readers give the event of a keyword cut between pieces."""
    lines = noise(0, 1500)
    text = VIEW.format(t=kc_time(2000), v=9)
    lines += cri(text, 2000, [text.index("ISPN000094") + 4]) + noise(2001, 1500)
    p = write(tmp_path / "k.log", lines)
    for fast in (False, True):
        evs = answer(p, fast, monkeypatch)[0]
        assert [e for e in evs if e[0].value == "view"], fast


# ------------------------------------------------------------------------------------------------
# other files


def test_only_cri_files_look_for_partial_lines(tmp_path, small_windows, monkeypatch):
    """Files whose first lines are not a runtime's (every sample log, ``kubectl --timestamps``
    output, a line that quotes a CRI line) are scanned for the keywords alone, and nothing looks at
    partial lines; a CRI file without partial lines walks none."""
    if not fastscan.native_available():
        pytest.skip("the native scanner is not built")
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    words = []
    real_new = fastscan.new_scanner
    def new_scanner(native, w, sample):
        words.append(w)
        return real_new(native, w, sample)

    monkeypatch.setattr(fastscan, "new_scanner", new_scanner)
    monkeypatch.setattr(fastscan, "_SCANNERS", {})

    def no_joins(*a, **kw):
        raise AssertionError("partial lines looked at")

    monkeypatch.setattr(fastscan._Joins, "__init__", no_joins)
    logs = [p for p in SAMPLES.glob("*/*.log")]
    assert len(logs) > 40
    for p in logs:
        head = p.read_bytes()[:8192]
        assert not fastscan._is_cri(head), p
    quoted = ["2024-05-01T10:00:00.123456789Z " + NOISE.format(t=kc_time(i), i=i) for i in range(300)]
    quoted[150] = ("2024-05-01T10:00:00.123456789Z " + kc_time(150) + " INFO  [x] (t) read "
                   "'2024-05-01T10:00:00.1Z stdout P ISPN0000' then " + VIEW.format(t="", v=1))
    p = tmp_path / "kubectl.log"
    p.write_text("\n".join(quoted) + "\n")
    for path in [*logs[:10], p]:
        words.clear()
        fast = fast_lines(path)
        assert words and all(w == fastscan.scan_words() for w in words)
        slow = all_lines(path)
        assert all(slow.get(n) == t or t in slow.values() for n, t in fast.items())
    assert 151 in fast_lines(p)

    monkeypatch.undo()
    monkeypatch.setenv(fastscan.ENV_SCANNER, "native")
    monkeypatch.setattr(fastscan, "HEAD_LINES", 3)

    def no_walk(*a, **kw):
        raise AssertionError("a run walked")

    monkeypatch.setattr(fastscan._Joins, "_walk", no_walk)
    lines = noise(0, 100) + cri(VIEW.format(t=kc_time(100), v=1), 100) + noise(101, 100)
    cri_file = write(tmp_path / "cri.log", lines)
    fast = fast_lines(cri_file)
    assert 101 in fast and all_lines(cri_file)[101] == fast[101]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_partial_lines_longer_than_a_scan_part(tmp_path, small_windows, scanner, monkeypatch, gz):
    """A runtime set to split lines at more than the scanner's parts (the scanner reads such a
    line in parts): a keyword cut at the end of one, or inside the first bytes of the next, is read."""
    monkeypatch.setattr(fastscan, "PIECE", 1 << 16)
    monkeypatch.setattr(fastscan._StreamScan, "LONG", 1 << 18, raising=False)
    view = VIEW.format(t=kc_time(60), v=1).encode()
    k = view.index(b"ISPN000094")
    filler = b"".join(b"member-%06d, " % i for i in range(40_000))  # (600 KB, no keyword)
    lines = noise(0, 30)
    # an over-long partial line ends inside the keyword
    lines += cri(filler + view[k - 40:], 50, [len(filler) + 44], "stdout")
    lines += noise(51, 40)
    # an over-long line continues a short partial line cut inside the keyword
    lines += cri(view + filler, 70, [k + 2], "stderr")
    lines += noise(71, 40)
    # one ends a keyword begun by the over-long partial line before it, itself long
    lines += cri(filler + view[k - 40:] + filler, 90, [len(filler) + 41])
    lines += noise(91, 100)
    p = write(tmp_path / ("k.log.gz" if gz else "k.log"), lines, gz)
    assert_runs_read(fast_lines(p), all_lines(p), 3)


def test_the_records_stage_keeps_enough_of_a_partial_line_for_any_keyword():
    """The records stage tests the last ``_CUT_KEEP`` characters of a partial line joined to the
    next line's first: one less than the longest keyword (the records stage does not import the
    catalogue), as the fast reader's walk does."""
    from jgview import records
    from jgview.catalogue import CANDIDATE_KEYWORDS

    assert records._CUT_KEEP == max(len(k) for k in CANDIDATE_KEYWORDS) - 1
    assert records._CUT_KEEP == max(len(w) for w in fastscan.scan_words()) - 1
