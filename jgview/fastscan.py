"""Fast reading of big inputs: a scanner finds the candidate lines, Python reads only the line
*windows* around them.

The records stage builds records only from candidate lines (:func:`jgview.catalogue.is_candidate`:
the lines holding a catalogue wording's keyword, :data:`~jgview.catalogue.CANDIDATE_KEYWORDS`). On
a big log nearly all lines are not candidates, and reading them in Python is what makes the
straightforward path (:func:`jgview.sources.open_lines`) slow. Here a scanner finds them, and
:func:`open_lines` yields — in increasing line order, like ``open_lines`` — only:

- the *head*: the first :data:`HEAD_LINES` lines (the first time, the layout, CSV headers);
- each candidate line, with the lines before it back to the start of its record when it is itself
  a continuation line (a java.util.logging ``LEVEL: message`` line, ``Caused by: …``) and the lines
  after it up to the next line that starts a record of the same pod (continuation lines, wrapped
  views), bounded like the records stage's joining (200 lines, 1 MiB);
- one line every :data:`SAMPLE_EVERY` bytes between windows, so that the date of time-only
  (WildFly console) logs still rolls over at midnight across long gaps;
- the *tail*: the last :data:`TAIL_LINES` lines (the last time).

In a container runtime's log file (CRI: ``<time> stdout P <text>``), a line the runtime split into
partial lines may have a keyword cut between two of them, in neither: the scanner also finds the
partial lines there, and the line whose first bytes complete a keyword is a candidate that
continues the one before it (:class:`_Joins`; other files pay nothing for it).

Whether a line starts a record is decided by the records stage's own parser, once per line
*shape* (the first bytes with digits and letters folded), so the windows follow the layouts.
Between two windows there is a gap in the line numbers; the records stage never joins a line
after a gap to a record before it.

The scanner is the C extension ``jgview._scan`` when it is built (:func:`scan_words`: one pass, no
GIL, several GB/s). A plain file is read in newline-aligned pieces of :data:`PIECE` bytes by
threads, :data:`AHEAD` pieces ahead of the one being parsed; a gzip file (by its magic bytes) is
inflated by a thread into bounded memory (:class:`_Ring`) and scanned as it comes, the inflater
also choosing the sample lines. Otherwise GNU grep (``LC_ALL=C grep -a -n -b -E WORDS``, argument
lists, never a shell) scans newline-aligned byte ranges of a plain file fed through pipes, with
``wc -l`` numbering them, or a gzip file inflated into an unlinked temporary file.
``info.lines`` and ``info.bytes`` are the whole input's.

With the native scanner a plain file can also be read in *spans* by several worker processes
(``open_lines(..., span=…)``; :func:`span_count` says how many parts, :func:`resolve_span`, run by
each worker, where its part starts: at a record's first line of a new minute, so that reading the
parts apart and putting them together gives what reading the file gives; ``jgview.pipeline`` puts
them together).

When neither scanner is there, or the input is not a regular file, UTF-16, or a CSV/TSV export,
:func:`open_lines` returns None and the caller uses the straightforward path. Memory stays
bounded: no input is held, every line read is cut at ``max_line`` bytes."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from jgview.models import SourceInfo

__all__ = [
    "grep_words",
    "MIN_SIZE",
    "NARROWER",
    "available",
    "grep_args",
    "min_size",
    "open_lines",
]

MIN_SIZE = 8 << 20
"""Inputs (on-disk bytes) from this size on are read by the fast scanner (``JGVIEW_FASTSCAN_MIN``
overrides it: a number of bytes, ``0`` for every input, ``off`` for none)."""

HEAD_LINES = 1000
"""Lines read at the start (the records stage parses this many looking for the first time)."""
HEAD_BYTES = 16 << 20
SCAN_LINES = 1000
"""The head goes on to the first line that starts a record, this far at most."""
TAIL_LINES = 64
"""Lines read at the end (the records stage looks this far back for the last time)."""
TAIL_BYTES = 4 << 20
SAMPLE_EVERY = 1 << 20
"""Bytes between two sample lines inside a gap (midnight rollovers of time-only logs)."""
MAX_RANGES = 2
MIN_RANGE = 16 << 20
"""A plain file is split into parallel ranges only when each gets at least this many bytes."""
FORWARD_LINES = 200
"""Continuation lines read after a candidate at most (the records stage joins 200)."""
FORWARD_BYTES = 1 << 20
BACK_LINES = 256
"""Lines read back from a candidate that continues a record, at most (the records stage's ring)."""
BACK_BYTES = 1 << 20
_SCAN_LIMIT = 64 << 20
"""Bytes searched for the end of one over-long line of a gzip input (held in memory meanwhile)
before the window stops there."""
_SHAPES = 4096
_SHAPE_BYTES = 96
"""Bytes of a line (after envelope timestamps) whose shape decides whether it starts a record: a
layout tells a start by its timestamp *and* what follows (level, logger, thread)."""

ENV_MIN = "JGVIEW_FASTSCAN_MIN"
ENV_RANGES = "JGVIEW_FASTSCAN_RANGES"

OnError = Callable[[str], None]


NARROWER: dict[str, tuple[str, ...]] = {"_ERROR": ()}
"""Candidate words grep looks for in a narrower form (or not at all). ``_ERROR`` is only the word of
the Keycloak event line (``type=LOGIN_ERROR, … error=…``), and such a line gives an event only when
it shows a symptom (``jgview.events``): an ``error`` of :data:`~jgview.catalogue.SYMPTOM_ERRORS` or
the missing-client text, candidate words of their own. The other error events (wrong passwords,
expired refresh tokens: most of a busy Keycloak's log) are not read at all; a test checks that this
loses no event."""

_WORDS: tuple[str, ...] | None = None


def grep_words() -> tuple[str, ...]:
    """The literals grep looks for: the catalogue's candidate words (some narrowed, see
    :data:`NARROWER`)."""
    global _WORDS
    if _WORDS is None:
        from jgview.catalogue import CANDIDATE_WORDS

        words: list[str] = []
        for w in CANDIDATE_WORDS:
            words.extend(NARROWER.get(w, (w,)))
        _WORDS = tuple(dict.fromkeys(words))
    return _WORDS


_ERE_SPECIAL = "\\.[]{}()*+?^$|"


class _Rx:
    """Regular expressions, compiled when first needed (a small input never needs them)."""

    def __getattr__(self, name: str) -> Any:
        import re

        compiled = {
            "run9": re.compile(rb"9+"),
            "runa": re.compile(rb"a+"),
            "runs": re.compile(rb"[ ~]+"),
            "head": re.compile(rb"(\d{1,20})([:-])(\d{1,20})[:-]"),
            "kts": re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)(?:[ \t]|$)"),
            # a CRI line's prefix (group 1: P, a partial line, or F); it ends where its text begins
            "cri": re.compile(rb"\d{4}-\d\d-\d\dT\S{8,40}[ \t](?:stdout|stderr) ([PF])(?: |(?=\n)|$)"),
            "hhmm": re.compile(rb"[0-9][0-9]:[0-9][0-9]"),
        }
        self.__dict__.update(compiled)
        return compiled[name]


_RX = _Rx()


def grep_args(grep: str = "grep", cri: bool = False) -> list[str]:
    """The grep command line (without the input): ``-a -n -b -E`` and an alternation of the
    candidate words, each escaped for POSIX extended regular expressions (``cri``: and the marks
    of a CRI file's partial lines, :data:`CRI_WORDS`)."""
    words = grep_words() + tuple(w.decode() for w in CRI_WORDS) if cri else grep_words()
    pattern = "|".join("".join("\\" + c if c in _ERE_SPECIAL else c for c in w) for w in words)
    return [grep, "-a", "-n", "-b", "-A1", "--no-group-separator", "-E", "-e", pattern]


def min_size() -> int | None:
    """The size from which inputs are read by the fast scanner, or None when it is turned off."""
    v = os.environ.get(ENV_MIN, "").strip().lower()
    if not v:
        return MIN_SIZE
    if v in ("off", "no", "false", "none", "-1"):
        return None
    try:
        return max(0, int(v))
    except ValueError:
        return MIN_SIZE


_AVAILABLE: dict[str, tuple[str, str] | None] = {}


def _tools() -> tuple[str, str] | None:
    """Paths of GNU grep and wc on PATH, checked once per PATH value (None when missing)."""
    path = os.environ.get("PATH", "")
    if path in _AVAILABLE:
        return _AVAILABLE[path]
    import shutil
    import subprocess

    found: tuple[str, str] | None = None
    grep = shutil.which("grep", path=path)
    wc = shutil.which("wc", path=path)
    if grep and wc:
        try:
            r = subprocess.run(
                [*grep_args(grep), "-"],
                input=b"a\nx ISPN000094 y\r\n\x00\xff JOIN(\nb",
                capture_output=True, env=_env(), timeout=10, check=False,
            )
            v = subprocess.run([grep, "-V"], capture_output=True, env=_env(), timeout=10, check=False)
            w = subprocess.run([wc, "-l"], input=b"a\nb\nc", capture_output=True, env=_env(), timeout=10,
                               check=False)
            if r.returncode == 0 and b"GNU grep" in v.stdout \
                    and r.stdout == b"2:2:x ISPN000094 y\r\n3:18:\x00\xff JOIN(\n4-27-b\n" \
                    and w.stdout.split()[:1] == [b"2"]:
                found = (grep, wc)
        except (OSError, subprocess.SubprocessError):
            found = None
    _AVAILABLE[path] = found
    return found


def available() -> bool:
    """True when GNU grep (and ``wc``) can be used."""
    return _tools() is not None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREP_")}
    env["LC_ALL"] = "C"
    return env


# --------------------------------------------------------------------------------------------
# the file read back: plain (pread) or a temporary file still being written (gzip)


class _Data:
    """pread over a file descriptor; ``limit`` is known (plain file) or grows (gzip)."""

    def __init__(self, fd: int, size: int | None) -> None:
        self.fd = fd
        self.size = size
        self.written = size or 0
        self.cond: threading.Condition | None = None if size is not None else threading.Condition()
        self.failed = False
        self.waiting = False
        """A reader waits for bytes not written yet (the writer must not wait for the reader then)."""

    def grow(self, n: int) -> None:
        assert self.cond is not None
        with self.cond:
            self.written += n
            self.cond.notify_all()

    def finish(self, failed: bool = False) -> None:
        assert self.cond is not None
        with self.cond:
            self.size = self.written
            self.failed = failed
            self.cond.notify_all()

    scan_limit = 1 << 62
    """Bytes searched for the end of an over-long line: no limit on a file (nothing is kept while
    it is searched)."""
    _BLOCK = 1 << 14
    _cache_off = -1
    _cache = b""

    piece_off = -1
    piece: Any = b""
    """Bytes of the file already in memory (the piece being read), from ``piece_off``."""

    def read(self, off: int, n: int) -> bytes:
        """Bytes ``off`` to ``off + n`` (fewer at the end of the data)."""
        p = self.piece_off
        if 0 <= p <= off and off + n <= p + len(self.piece):
            return bytes(self.piece[off - p:off - p + n])
        c = self._cache_off
        if 0 <= c <= off and off + n <= c + len(self._cache):
            return self._cache[off - c:off - c + n]
        if 0 < n < self._BLOCK and off >= 0:
            if self.size is None:  # still growing: wait for what is asked only
                self._read(off, n)
            block = self._read(off, min(self._BLOCK, max(n, self.written - off)))
            self._cache_off, self._cache = off, block
            return block[:n]
        return self._read(off, n)

    def _read(self, off: int, n: int) -> bytes:
        if n <= 0 or off < 0:
            return b""
        cond = self.cond
        if cond is not None and self.size is None and off + n > self.written:
            with cond:
                self.waiting = True
                cond.notify_all()
                while self.size is None and off + n > self.written:
                    cond.wait(1.0)
                self.waiting = False
        end = min(off + n, self.size if self.size is not None else self.written)
        if end <= off:
            return b""
        return os.pread(self.fd, end - off, off)

    def end(self) -> int:
        """The total size (waits for a growing file to be complete)."""
        cond = self.cond
        if cond is not None and self.size is None:
            with cond:
                while self.size is None:
                    cond.wait(1.0)
        assert self.size is not None
        return self.size


RING_MAX = 24 << 20
"""Inflated bytes the gzip reader keeps in memory ahead of the reader at most (more only while the
reader itself waits for bytes further on: a window reaching far ahead)."""
RING_TAIL = TAIL_BYTES + (1 << 20)
"""The last inflated bytes are always kept (the tail is read once the input has ended)."""


class _Ring(_Data):
    """Inflated bytes in memory, from the reader's low-water mark on: no temporary file. The reader
    never reads before the start of the candidate line it is at, nor before the end of what it
    already yielded (:meth:`release`); reading dropped bytes gives ``b""``."""

    scan_limit = _SCAN_LIMIT
    """(what is searched is held in memory meanwhile: an over-long line's end is searched this far)"""

    def __init__(self) -> None:
        super().__init__(-1, None)
        from collections import deque

        self.chunks: Any = deque()
        """``(offset, bytes)`` in order."""
        self.kept = 0
        self.low = 0
        self.closed = False
        self.on_full: Callable[[], bool] | None = None
        self.want = 0
        """The reader waits for the bytes up to here (the writer goes on until they are there, even
        past :data:`RING_MAX`)."""

    def append(self, buf: bytes) -> None:
        cond = self.cond
        assert cond is not None
        with cond:
            while self.kept > RING_MAX and self.written >= self.want and not self.closed:
                if self.on_full is not None and self.on_full():
                    break  # the reader was waiting for candidates: it frees memory on its way
                cond.wait(0.05)
            if self.closed:
                raise OSError("reading stopped")
            self.chunks.append((self.written, buf))
            self.kept += len(buf)
            self.written += len(buf)
            self._drop()
            cond.notify_all()

    def release(self, low: int) -> None:
        """The reader needs no byte before ``low`` any more."""
        cond = self.cond
        assert cond is not None
        if low <= self.low:
            return
        with cond:
            self.low = low
            self._drop()
            cond.notify_all()

    def close(self) -> None:
        cond = self.cond
        assert cond is not None
        with cond:
            self.closed = True
            self.chunks.clear()
            self.kept = 0
            cond.notify_all()

    def _drop(self) -> None:
        chunks = self.chunks
        while chunks:
            off, buf = chunks[0]
            end = off + len(buf)
            if end > self.low or self.written - end < RING_TAIL:
                break
            chunks.popleft()
            self.kept -= len(buf)

    def _read(self, off: int, n: int) -> bytes:
        if n <= 0 or off < 0:
            return b""
        cond = self.cond
        assert cond is not None
        with cond:
            if self.size is None and off + n > self.written:
                self.waiting = True
                self.want = off + n
                cond.notify_all()
                while self.size is None and off + n > self.written and not self.closed:
                    cond.wait(1.0)
                self.waiting = False
                self.want = 0
            end = min(off + n, self.written)
            parts = []
            for c_off, buf in self.chunks:
                c_end = c_off + len(buf)
                if c_end <= off:
                    continue
                if c_off >= end:
                    break
                if c_off > off and not parts:
                    return b""  # dropped
                parts.append(buf[max(0, off - c_off):end - c_off])
            return b"".join(parts)


# --------------------------------------------------------------------------------------------
# shapes: does a line start a record?

_FOLD = bytes(
    (ord("9") if chr(c).isdigit() else ord("a") if chr(c).isalpha() else c) if c < 128 else ord("~")
    for c in range(256)
)


class _Starts:
    """Whether a line starts a record, decided by the records stage's parser once per shape."""

    def __init__(self, opts: Any, pod_hint: str | None, container_hint: str | None) -> None:
        from jgview import records

        self.records = records
        self.reader = records._Reader(SourceInfo(name="<fastscan>"), lambda s: False, opts, pod_hint,
                                      container_hint)
        self.memo: dict[bytes, bool] = {}
        self.exact: dict[bytes, bool] = {}

    def __call__(self, raw: bytes) -> tuple[bool, bytes | None]:
        """``(starts a record, pod key)`` of a raw line."""
        key = None
        body = raw
        partial = False
        if raw[:5] == b"[pod/":
            j = raw.find(b"] ", 5, 600)
            if j > 0:
                k = raw.find(b"/", 5, j)
                if k > 5:
                    key = raw[5:k]
                body = raw[j + 2:]
        if body[10:11] == b"T" and body[:1].isdigit():
            # a kubelet timestamp (kubectl --timestamps, a CRI file): the shape is what follows it
            m = _RX.kts.match(body)
            if m is not None:
                body = body[m.end():]
                if body[:7] in (b"stdout ", b"stderr ") and body[8:9] in (b" ", b""):
                    partial = body[7:8] == b"P"
                    body = body[7:8] + b" " + body[9:]  # (P or F: a partial line's next line continues it)
        folded = body[:_SHAPE_BYTES].translate(_FOLD)
        if partial:
            # (the fold makes P and F one letter, no folded byte is a capital: a partial line is
            # apart, being only the first bytes of its line — of a JSON record, say)
            folded = b"Q" + folded
        if key is not None:
            folded = b"P" + folded
        v = self.exact.get(folded)
        if v is None:
            # the same shape with runs of digits, letters and spaces folded
            shape = _RX.runs.sub(b" ", _RX.runa.sub(b"a", _RX.run9.sub(b"9", folded)))
            v = self.memo.get(shape)
            if v is None:
                v = self._parse(raw)
                if len(self.memo) < _SHAPES:
                    self.memo[shape] = v
            if len(self.exact) < _SHAPES:
                self.exact[folded] = v
        return v, key

    def _parse(self, raw: bytes) -> bool:
        from jgview.sources import _decode_line

        text = _decode_line(raw, SourceInfo(name="<fastscan>"), False)
        try:
            ln = self.reader._parse(0, self.records.strip_embedded_timestamps(text))
            return bool(self.records._starts(ln))
        except Exception:  # noqa: BLE001 - never let a heuristic break the read
            return True


# --------------------------------------------------------------------------------------------
# reading lines around an offset


class _Line:
    __slots__ = ("start", "end", "raw", "long")

    def __init__(self, start: int, end: int, raw: bytes, long: bool) -> None:
        self.start = start
        """Offset of the first byte."""
        self.end = end
        """Offset after the line's newline (or the end of the data)."""
        self.raw = raw
        """The line without its newline, cut at ``max_line`` bytes."""
        self.long = long


_NEWLINE = re.compile(b"\n").search
"""Finds a newline in any buffer (the piece in memory, a memoryview: no copy to search it)."""


def _line_at(data: _Data, off: int, max_line: int, first: int = 4096) -> _Line | None:
    """The line starting at ``off`` (None at the end of the data, or when it is too long to find
    its end within ``_SCAN_LIMIT``)."""
    p = data.piece_off
    if 0 <= p <= off:
        # the usual case, a line inside the piece in memory: its newline searched there, only the
        # line copied (not the 4 KiB :meth:`_Data.read` would copy first; half the time)
        piece = data.piece
        pos = off - p
        size = len(piece)
        if pos < size:
            m = _NEWLINE(piece, pos, min(size, pos + max_line + 1))
            if m is not None:
                i = m.start()
                return _Line(off, p + i + 1, bytes(piece[pos:i]), False)
    c = data._cache_off
    if 0 <= c <= off:
        # (the same in the block last read: the head, the lines after a piece's end)
        cache = data._cache
        pos = off - c
        if pos < len(cache):
            i = cache.find(b"\n", pos, pos + max_line + 1)
            if i >= 0:
                return _Line(off, c + i + 1, cache[pos:i], False)
    n = first
    while True:
        buf = data.read(off, n)
        if not buf:
            return None
        i = buf.find(b"\n")
        if i >= 0:
            if i > max_line:
                return _Line(off, off + i + 1, buf[:max_line], True)
            return _Line(off, off + i + 1, buf[:i], False)
        if len(buf) < n:  # the last line, without a newline
            if len(buf) > max_line:
                return _Line(off, off + len(buf), buf[:max_line], True)
            return _Line(off, off + len(buf), buf, False)
        if n >= max_line + 1:
            break
        n = min(n * 4, max_line + 1)
    # longer than max_line: find its end without keeping it
    head = buf[:max_line]
    pos = off + n
    limit = data.scan_limit
    while pos - off < limit:
        chunk = data.read(pos, 1 << 20)
        if not chunk:
            return _Line(off, pos, head, True)
        i = chunk.find(b"\n")
        if i >= 0:
            return _Line(off, pos + i + 1, head, True)
        pos += len(chunk)
    return None


def _cri(buf: Any, pos: int = 0, end: int | None = None) -> Any:
    """The CRI prefix of the line at ``buf[pos]`` (``<time> stdout P|F ``: group 1 is ``P`` for a
    partial line; it ends where the text begins), or None."""
    if buf[pos + 10:pos + 11] != b"T":
        return None
    return _RX.cri.match(buf, pos, min(len(buf) if end is None else end, pos + 96))


def _partial(raw: bytes) -> bool:
    """A CRI partial line (``<time> stdout P <text>``): the next line continues it."""
    m = _cri(raw)
    return m is not None and m.group(1) == b"P"


def _lines_before(data: _Data, off: int, stop: int, max_lines: int, max_bytes: int,
                  max_line: int) -> list[_Line]:
    """Up to ``max_lines`` whole lines ending right before ``off`` (a line start), newest first,
    none starting before ``stop``, within ``max_bytes`` (each cut at ``max_line``)."""
    out: list[_Line] = []
    lo = max(stop, off - max_bytes)
    if off <= lo:
        return out
    buf = data.read(lo, off - lo)
    end = len(buf)
    # buf[end-1] is the newline ending the line before off
    while len(out) < max_lines and end > 0:
        i = buf.rfind(b"\n", 0, end - 1)
        if i < 0:
            if lo > stop:  # the line begins before the bytes read: too long to go on
                break
            start = 0
        else:
            start = i + 1
        raw = buf[start:end - 1] if buf[end - 1:end] == b"\n" else buf[start:end]
        out.append(_Line(lo + start, lo + end, raw[:max_line], len(raw) > max_line))
        end = start
    return out


# --------------------------------------------------------------------------------------------
# grep processes


class _Procs:
    """Child processes and feeder threads, ended and reaped on close."""

    def __init__(self) -> None:
        self.procs: list[Any] = []
        self.threads: list[threading.Thread] = []
        self.files: list[Any] = []

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.kill()
                except OSError:
                    pass
        for p in self.procs:
            for s in (p.stdin, p.stdout):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
            try:
                p.wait(timeout=10)
            except Exception:  # noqa: BLE001
                pass
        for t in self.threads:
            t.join(timeout=10)
        for f in self.files:
            try:
                f.close()
            except OSError:
                pass


def _sendfile(src_fd: int, dst: Any, off: int, count: int) -> None:
    """Copy ``count`` bytes of ``src_fd`` from ``off`` into a pipe, then close it."""
    out = dst.fileno()
    try:
        while count > 0:
            try:
                n = os.sendfile(out, src_fd, off, min(count, 1 << 30))
            except (InterruptedError, BlockingIOError):
                continue
            if n <= 0:
                break
            off += n
            count -= n
    except OSError:
        pass  # the reader went away (closed early, or killed)
    finally:
        try:
            dst.close()
        except OSError:
            pass


def _spawn(args: list[str], stdout: Any) -> Any:
    import subprocess

    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=stdout, stderr=subprocess.DEVNULL,
                            env=_env(), close_fds=True)


def _count_proc(wc: str, procs: _Procs) -> Any:
    import subprocess

    p = _spawn([wc, "-l"], subprocess.PIPE)
    procs.procs.append(p)
    return p


def _wc_result(p: Any) -> int:
    out = p.stdout.read()
    p.wait()
    try:
        return int(out.split()[0])
    except (IndexError, ValueError):
        raise OSError("wc -l gave no count") from None



_Hit = tuple[int, int, bytes, int, bool]


def _parse_out(line: bytes, max_line: int) -> _Hit | None:
    m = _RX.head.match(line)
    if m is None:
        return None
    t = line[m.end():]
    return int(m.group(1)), int(m.group(3)), t[:max_line], len(t), m.group(2) == b":"


def _grep_lines(stream: Any, max_line: int) -> Iterator[_Hit]:
    """``(line number, byte offset, text cut at max_line, full length, matched)`` of grep's
    output (``-n -b``; lines of ``-A`` context have ``matched`` False)."""
    read = stream.read1 if hasattr(stream, "read1") else stream.read
    rest = b""
    skipping: _Hit | None = None  # an over-long line whose rest is being skipped
    limit = max_line + 64
    match = _RX.head.match
    while True:
        chunk = read(1 << 20)
        if not chunk:
            break
        if skipping is not None:
            i = chunk.find(b"\n")
            n, o, t, full, hit = skipping
            if i < 0:
                skipping = (n, o, t, full + len(chunk), hit)
                continue
            yield n, o, t, full + i, hit
            skipping = None
            chunk = chunk[i + 1:]
        buf = rest + chunk if rest else chunk
        lines = buf.split(b"\n")
        rest = lines.pop()
        for line in lines:
            m = match(line)
            if m is not None:
                e = m.end()
                yield int(m.group(1)), int(m.group(3)), line[e:e + max_line], len(line) - e, m.group(2) == b":"
        if len(rest) > limit:
            skipping = _parse_out(rest, max_line)
            rest = b""
    if skipping is not None:
        yield skipping
    elif rest:
        h = _parse_out(rest, max_line)
        if h is not None:
            yield h


def _hits(stream: Any, max_line: int) -> Iterator[tuple[int, int, bytes, int, _Hit | None]]:
    """Each matched line of grep's ``-A1`` output with the line after it (when printed)."""
    pending: _Hit | None = None
    for h in _grep_lines(stream, max_line):
        if pending is not None:
            n, o, t, full, _ = pending
            yield n, o, t, full, (h if h[0] == n + 1 else None)
            pending = None
        if h[4]:
            pending = h
    if pending is not None:
        n, o, t, full, _ = pending
        yield n, o, t, full, None


# --------------------------------------------------------------------------------------------
# the windows


class _Windows:
    """Turns candidate positions into the lines to yield, in order, each once."""

    def __init__(self, data: _Data, info: SourceInfo, max_line: int, starts: _Starts) -> None:
        self.data = data
        self.info = info
        self.max_line = max_line
        self.starts = starts
        self.upto = 0
        """Last line number yielded."""
        self.upto_end = 0
        self.limit = 1 << 62
        """Where the bytes read end (a span's end): no window reads on past it."""
        """Offset after the last line yielded."""
        self.next_sample = SAMPLE_EVERY
        self.cri = False
        """A CRI file: a line after a partial line (``<time> stdout P <text>``) continues it, whatever
        it looks like (the records stage joins it)."""
        from jgview.sources import _decode_line

        self.decode = _decode_line

    def _text(self, ln: _Line) -> str:
        raw = ln.raw
        if ln.long:
            self.info.long_lines += 1
        elif raw.find(b"\r") < 0 and raw.find(b"\x00") < 0:
            # (find, not ``in``: bytes ``in`` first tries the operand as an integer and formats
            # the TypeError it clears, ≈1 µs a test)
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
        if not raw:
            return ""
        return self.decode(raw, self.info, ln.long)

    def head(self, bom: int, end: int | None = None) -> Iterator[tuple[int, str]]:
        """The first :data:`HEAD_LINES` lines, and on to the first line that starts a record
        (where the records stage finds the first time) within :data:`SCAN_LINES`; none from
        ``end`` on (the end of a span)."""
        off = bom
        n = 0
        started = False
        stop = HEAD_BYTES + bom if end is None else min(end, HEAD_BYTES + bom)
        while (n < HEAD_LINES or not started) and n < max(HEAD_LINES, SCAN_LINES) and off < stop:
            ln = _line_at(self.data, off, self.max_line)
            if ln is None:
                break
            if not started and n >= HEAD_LINES - 1:
                started = self.starts(ln.raw)[0]
            n += 1
            self.upto, self.upto_end = n, ln.end
            yield n, self._text(ln)
            off = ln.end
        self.next_sample = max(self.next_sample, self.upto_end + SAMPLE_EVERY)

    def samples(self, before_line: int, before_off: int) -> Iterator[tuple[int, str]]:
        """Sample lines in the gap before the line ``before_line`` at ``before_off``, numbered
        inside the gap (their own numbers are unknown; only their times matter), each with a gap
        on both sides so that nothing joins with them."""
        sample = self.upto
        while self.next_sample < before_off:
            lineno = sample + 2
            if lineno >= before_line - 1:
                break
            off = self.next_sample
            self.next_sample += SAMPLE_EVERY
            if off < self.upto_end:
                continue
            i = self._newline(off - 1, 65536)
            if i < 0:
                continue
            start = off + i
            if start >= before_off:
                break
            ln = _line_at(self.data, start, self.max_line)
            if ln is None or ln.end > before_off:
                break
            sample = lineno
            self.next_sample = max(self.next_sample, ln.end + SAMPLE_EVERY)
            yield lineno, self._text(ln)

    def _newline(self, off: int, n: int) -> int:
        """``self.data.read(off, n).find(b"\\n")``, without copying ``n`` bytes: searched in the piece
        in memory, or in the first 4 KiB (a line is usually shorter) before all of them."""
        data = self.data
        p = data.piece_off
        if 0 <= p <= off and off + n <= p + len(data.piece):
            m = _NEWLINE(data.piece, off - p, off - p + n)
            return -1 if m is None else m.start() - (off - p)
        first = min(n, 4096)
        buf = data.read(off, first)
        i = buf.find(b"\n")
        if i >= 0 or len(buf) < first:  # (fewer bytes: the end of the data)
            return i
        return data.read(off, n).find(b"\n")

    def window(self, lineno: int, off: int, raw: bytes, full: int, nxt: _Hit | None = None,
               base_off: int = 0) -> Iterator[tuple[int, str]]:
        """The lines of one candidate's window not yielded yet (``nxt``: the line after it, as
        grep printed it, its offset counted from ``base_off``)."""
        return self.window_line(lineno, _Line(off, off + full + 1, raw, full > self.max_line), nxt, base_off)

    def window_line(self, lineno: int, cand: _Line, nxt: _Hit | None = None,
                    base_off: int = 0, cont: bool = False) -> Iterator[tuple[int, str]]:
        """:meth:`window` of a candidate line already read (``cont``: it continues a CRI partial
        line, so its record starts before it)."""
        max_line = self.max_line
        off = cand.start
        raw = cand.raw
        starts, key = self.starts(raw)
        if lineno > self.upto:
            back: list[_Line] = []
            if not starts or cont:
                before = _lines_before(self.data, off, min(self.upto_end, off),
                                       min(BACK_LINES, lineno - self.upto - 1), BACK_BYTES, max_line)
                for k, ln in enumerate(before):
                    back.append(ln)
                    s, kk = self.starts(ln.raw)
                    if s and kk == key and not (self.cri and k + 1 < len(before)
                                                and _partial(before[k + 1].raw)):
                        break
                back.reverse()
            first = lineno - len(back)
            if self.next_sample < (back[0].start if back else off):
                yield from self.samples(first, back[0].start if back else off)
            for k, ln in enumerate(back):
                yield first + k, self._text(ln)
            self.upto, self.upto_end = lineno, cand.end
            yield lineno, self._text(cand)
        # forward: continuation lines up to the next start of a record of the same pod
        n = lineno
        pos = cand.end
        size = 0
        prev = cand
        while n - lineno < FORWARD_LINES and size < FORWARD_BYTES:
            if nxt is not None:
                o = base_off + nxt[1]
                ln = _Line(o, o + nxt[3] + 1, nxt[2], nxt[3] > max_line)
                nxt = None
            else:
                ln = _line_at(self.data, pos, max_line)
            if ln is None or ln.start >= self.limit:
                break
            s, kk = self.starts(ln.raw)
            if s and kk == key and not (self.cri and _partial(prev.raw)):
                break
            prev = ln
            n += 1
            size += ln.end - ln.start
            pos = ln.end
            if n > self.upto:
                self.upto, self.upto_end = n, ln.end
                yield n, self._text(ln)

    def tail(self, total: int, end: int) -> Iterator[tuple[int, str]]:
        """The last lines (``total`` lines in all, the data ending at ``end``)."""
        if total <= self.upto:
            return
        want = min(TAIL_LINES, total - self.upto)
        last = _line_at(self.data, self._last_start(end), self.max_line) if end > 0 else None
        lines: list[_Line] = []
        if last is not None and last.end == end and (end == 0 or self.data.read(end - 1, 1) != b"\n"):
            lines.append(last)  # a last line without a newline
            want -= 1
            stop_at = last.start
        else:
            stop_at = end
        if want > 0:
            lines.extend(_lines_before(self.data, stop_at, min(self.upto_end, stop_at), want, TAIL_BYTES,
                                       self.max_line))
        lines.reverse()
        first = total - len(lines) + 1
        if lines and self.next_sample < lines[0].start:
            yield from self.samples(first, lines[0].start)
        for k, ln in enumerate(lines):
            n = first + k
            if n > self.upto:
                self.upto, self.upto_end = n, ln.end
                yield n, self._text(ln)

    def _last_start(self, end: int) -> int:
        """Offset where the last line (ending at ``end``) starts."""
        hi = end - 1 if self.data.read(end - 1, 1) == b"\n" else end
        pos = hi
        while pos > 0 and end - pos < _SCAN_LIMIT:
            lo = max(0, pos - 65536)
            i = self.data.read(lo, pos - lo).rfind(b"\n")
            if i >= 0:
                return lo + i + 1
            pos = lo
        return pos


# --------------------------------------------------------------------------------------------
# entry point


def open_lines(
    inp: Any,
    info: SourceInfo,
    on_error: OnError,
    *,
    max_line: int = 4 * 1024 * 1024,
    threshold: int | None = -1,
    ranges: int | None = None,
    read_options: Any = None,
    pod_hint: str | None = None,
    container_hint: str | None = None,
    span: tuple[int, int] | None = None,
) -> Iterator[tuple[int, str]] | None:
    """``(line number, text)`` of the lines of a big input that the records stage needs, or None
    when the fast scanner does not apply (the caller then reads every line).

    ``threshold``: smallest on-disk size read this way (default :func:`min_size`; None: never).
    ``ranges``: how many parallel ranges for a plain file (default: the CPUs available, at most
    :data:`MAX_RANGES`; also ``JGVIEW_FASTSCAN_RANGES``). ``read_options``, ``pod_hint`` and
    ``container_hint`` are those the records stage gets (to tell record starts the same way).
    ``span``: only the bytes ``start`` to ``end`` of a plain file (one of :func:`split_spans`),
    numbered from 1 at ``start``; the head is read only when ``start`` is 0, the tail only when
    ``end`` is the end of the file, and ``info.lines``/``info.bytes`` count the span's. None when
    the native scanner cannot read it (the caller must then read the whole file).
    """
    if threshold == -1:
        threshold = min_size()
    if span is not None:
        threshold = 0
    if threshold is None or getattr(inp, "path", None) is None:
        return None
    path = inp.path
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # the straightforward path reports it
    try:
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < max(threshold, 1):
            os.close(fd)
            return None
        magic = os.pread(fd, 4, 0)
    except OSError:
        os.close(fd)
        return None
    native = _native()
    if magic[:2] in (b"\xff\xfe", b"\xfe\xff") or (native is None and _tools() is None):
        os.close(fd)
        return None
    gz = magic[:2] == b"\x1f\x8b"
    if span is not None and (native is None or gz or not 0 <= span[0] < span[1] <= st.st_size):
        os.close(fd)
        return None
    head = _gz_peek(fd) if gz else os.pread(fd, 8192, 0)
    if head is None or head[:2] in (b"\xff\xfe", b"\xfe\xff") or _is_table(head):
        os.close(fd)
        return None
    if ranges is None:
        env = os.environ.get(ENV_RANGES, "").strip()
        if env.isdigit() and int(env) > 0:
            ranges = int(env)
        else:
            try:
                ranges = min(MAX_RANGES, len(os.sched_getaffinity(0)))
            except (AttributeError, OSError):
                ranges = min(MAX_RANGES, os.cpu_count() or 1)
            ranges = max(1, min(ranges, st.st_size // MIN_RANGE))
    if read_options is None:
        from jgview.records import ReadOptions

        read_options = ReadOptions()
    starts = _Starts(read_options, pod_hint, container_hint)
    cri = _is_cri(head)  # (a span's too: the file's first lines)
    if native is not None:
        if gz:
            return _run_native_gzip(fd, inp.name, info, on_error, max_line, starts, native, cri)
        return _run_native_plain(fd, st.st_size, magic, info, on_error, max_line, max(1, ranges), starts, native,
                                 span, cri)
    if gz:
        return _run_gzip(fd, inp.name, info, on_error, max_line, starts, cri)
    return _run_plain(fd, st.st_size, magic, info, on_error, max_line, max(1, ranges), starts, cri)


SPAN_MIN = 64 << 20
"""A plain file is split between worker processes (:func:`split_spans`) in spans of at least this
many bytes (``JGVIEW_SPAN_MIN`` overrides it)..."""
SPAN_MAX = 256 << 20
"""... and of at most this many, so that a worker holds the events of one span at a time."""
SPAN_SEARCH = 16 << 20
"""Bytes searched past a nominal split point for the line where a span may start."""
SPAN_HEAD_LINES = 200
"""Lines of the head parsed to decide whether a file may be split."""

ENV_SPAN_MIN = "JGVIEW_SPAN_MIN"


def span_min() -> int:
    v = os.environ.get(ENV_SPAN_MIN, "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else SPAN_MIN


def span_count(size: int, workers: int) -> int:
    """How many spans a plain file of ``size`` bytes is split into for ``workers`` processes: one
    per worker at least, :data:`SPAN_MAX` bytes each at most, :func:`span_min` at least."""
    if workers < 2:
        return 1
    low = span_min()
    parts = max(workers, -(-size // max(SPAN_MAX, low)))
    return max(1, min(parts, size // low))


WHOLE = "whole"
_SPAN_FOUND: dict[tuple[int, int, int, int], dict[Any, Any]] = {}
"""What :func:`resolve_span` found of a file (by device, inode, planned size, parts): whether it is
read whole, and the boundaries."""
"""What :func:`resolve_span` says of a file that cannot be split: its first span reads it all."""


def split_spans(path: str, parts: int, read_options: Any = None, pod_hint: str | None = None,
                container_hint: str | None = None) -> list[tuple[int, int]] | None:
    """Byte spans ``(start, end)`` covering a plain file, to be read apart and give together what
    reading the whole file gives (:func:`resolve_span` of every part); None when it cannot be
    split."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    spans = []
    for k in range(parts):
        got = resolve_span(path, k, parts, size, read_options, pod_hint, container_hint)
        if got == WHOLE:
            return None
        if got is not None:
            spans.append(got)
    return spans if len(spans) >= 2 else None


def resolve_span(path: str, k: int, parts: int, size: int, read_options: Any = None, pod_hint: str | None = None,
                 container_hint: str | None = None) -> tuple[int, int] | str | None:
    """The bytes ``(start, end)`` of part ``k`` of ``parts`` of a plain file of ``size`` bytes (the
    size it had when the parts were planned), found by the worker that reads it: every worker finds
    the same boundaries. None when the part is inside the one before it (no boundary was found in
    it), :data:`WHOLE` when the file cannot be split at all.

    A part starts at a line that starts a record (so no record is cut; the records stage's own
    parser decides, as for the windows) and whose minute differs from the record before it (so the
    few Keycloak event lines kept per minute, and the symptoms per pod and minute, are counted in
    one span), found from ``size * k // parts`` on, before the next part's point. Only the native
    scanner reads spans; a file is not split when it is compressed, a CSV/TSV export, UTF-16, when
    its head shows lines without dates (a time of day is dated by the lines before it) or several
    pods' lines (``--prefix``, stern, compose: records of other pods run across a record start)."""
    if parts < 2 or _native() is None:
        return WHOLE
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return WHOLE
    try:
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < size or size < 2:
            return WHOLE
        # a worker often reads the next part of the same file: what it found is kept
        key = (st.st_dev, st.st_ino, size, parts)
        known = _SPAN_FOUND.get(key)
        if known is None:
            if len(_SPAN_FOUND) >= 64:
                _SPAN_FOUND.clear()
            known = _SPAN_FOUND[key] = {}
        if read_options is None:
            from jgview.records import ReadOptions

            read_options = ReadOptions()
        starts = _Starts(read_options, pod_hint, container_hint)
        if "whole" not in known:
            head = os.pread(fd, 1 << 16, 0)
            known["whole"] = (head[:2] in (b"\x1f\x8b", b"\xff\xfe", b"\xfe\xff") or _is_table(head)
                              or not _dated_single(starts, head))
        if known["whole"]:
            return WHOLE
        data = _Data(fd, size)

        def boundary(j: int) -> int | None:
            if j not in known:
                known[j] = _span_start(data, starts, size * j // parts, size * (j + 1) // parts)
            return known[j]  # type: ignore[no-any-return]

        start = 0 if k == 0 else boundary(k)
        if start is None:
            return None
        end = size
        for j in range(k + 1, parts):
            b = boundary(j)
            if b is not None:
                end = b
                break
        return start, end
    except OSError:
        return WHOLE
    finally:
        os.close(fd)


def _dated_single(starts: _Starts, head: bytes) -> bool:
    """The head's records carry dates (not times of day alone) and no pod envelope."""
    from jgview import records
    from jgview.sources import _decode_line

    reader = starts.reader
    lines = head.split(b"\n")[:-1][:SPAN_HEAD_LINES]
    if lines and lines[0][:3] == b"\xef\xbb\xbf":
        lines[0] = lines[0][3:]
    dated = 0
    for i, raw in enumerate(lines, 1):
        text = _decode_line(raw, reader.info, False)
        try:
            ln = reader._parse(i, records.strip_embedded_timestamps(text))
        except Exception:  # noqa: BLE001 - a line the parser trips on: do not split
            return False
        if ln.key is not None or raw[:5] == b"[pod/":
            return False
        if records._starts(ln):
            if ln.tod is not None or (ln.ldt is None and ln.etime is None):
                return False
            dated += 1
    return dated > 0 and not reader.info.envelopes


def _span_start(data: _Data, starts: _Starts, pos: int, stop: int) -> int | None:
    """The first line at or after ``pos`` (and before ``stop``) that starts a record of no pod
    envelope whose minute (its text up to the first ``HH:MM``, as the records stage's sampling key)
    differs from the record start before it, within :data:`SPAN_SEARCH` bytes."""
    search = _RX.hhmm.search
    if pos > 0:
        i = data.read(pos - 1, 1 << 16).find(b"\n")
        while i < 0:  # inside a long line: find its end
            pos += (1 << 16) - 1
            if pos >= stop:
                return None
            i = data.read(pos - 1, 1 << 16).find(b"\n")
        pos += i
    limit = min(stop, pos + SPAN_SEARCH)
    prev: bytes | None = None
    partial = True  # (the line before pos is not known: the first line is no boundary)
    while pos < limit:
        block = data.read(pos, min(1 << 20, limit - pos))
        j = block.rfind(b"\n")
        if j < 0:  # one long line (or the end): look at its first bytes
            ln = _line_at(data, pos, 4096)
            if ln is None:
                return None
            lines, ends = [ln.raw], [ln.end]
        else:
            lines = block[:j].split(b"\n")
            ends = []
        off = pos
        for k, raw in enumerate(lines):
            start = off
            off = ends[k] if ends else off + len(raw) + 1
            if raw[:5] == b"[pod/":
                return None
            after_partial = partial
            partial = _partial(raw)
            m = search(raw, 0, 160)
            # the minute: the digits of the date and time up to it (not the text before: a level
            # or a colour code that changes from line to line is no new minute)
            minute = raw[max(0, m.end() - 16):m.end()].translate(None, _NOT_DIGITS) if m is not None else None
            if minute is not None and minute == prev:
                continue  # (a record start of the same minute, or a line inside a record)
            s, key = starts(raw)
            if key is not None:
                return None
            if not s or after_partial:  # (a CRI partial line goes on in the next one)
                continue
            if minute is None:
                return None
            if prev is not None:
                return start
            prev = minute
        pos = off
    return None


_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)


def _gz_peek(fd: int) -> bytes | None:
    """The first decompressed bytes of a gzip file (None when they cannot be decompressed)."""
    import zlib

    try:
        return zlib.decompressobj(31).decompress(os.pread(fd, 1 << 16, 0), 8192)
    except (zlib.error, OSError):
        return None


def _is_table(head: bytes) -> bool:
    """A CSV/TSV export (the records stage reads those row by row, quotes across lines)."""
    from jgview import records

    sniff = getattr(records, "_sniff_table", None)
    if sniff is None:
        return False
    first = head.split(b"\n", 1)[0]
    if first[:3] == b"\xef\xbb\xbf":
        first = first[3:]
    from jgview.sources import _decode_line

    return sniff(_decode_line(first, SourceInfo(name="<fastscan>"), False)) is not None


def _split(fd: int, size: int, n: int, base: int = 0) -> list[tuple[int, int]]:
    """``n`` newline-aligned byte ranges ``(offset, length)`` covering the file (the ``size``
    bytes from ``base`` on, offsets counted from ``base``)."""
    bounds = [0]
    for k in range(1, n):
        want = max(bounds[-1], size * k // n)
        pos = want
        found = -1
        while pos < size:
            buf = os.pread(fd, min(1 << 16, size - pos), base + pos)
            if not buf:
                break
            i = buf.find(b"\n")
            if i >= 0:
                found = pos + i + 1
                break
            pos += len(buf)
        if found < 0 or found >= size:
            break
        if found > bounds[-1]:
            bounds.append(found)
    bounds.append(size)
    return [(a, b - a) for a, b in zip(bounds, bounds[1:]) if b > a]


def _plain_end(win: _Windows, data: _Data, info: SourceInfo, newlines: int, size: int,
               bom: int, end: int | None = None) -> Iterator[tuple[int, str]]:
    """The tail of a plain file of ``size`` bytes holding ``newlines`` newlines, its data ending at
    ``end`` (default ``size``: a span is the last ``size`` bytes); its counts."""
    end = size if end is None else end
    total = newlines + (1 if size and data.read(end - 1, 1) != b"\n" else 0)
    yield from win.tail(total, end)
    info.lines += total
    info.bytes += size - bom


def _run_plain(fd: int, size: int, magic: bytes, info: SourceInfo, on_error: OnError, max_line: int,
               nranges: int, starts: _Starts, cri: bool = False) -> Iterator[tuple[int, str]]:
    import subprocess
    import tempfile

    tools = _tools()
    assert tools is not None
    grep, wc = tools
    procs = _Procs()
    parts = _split(fd, size, nranges)
    greps: list[Any] = []
    counts: list[Any] = []
    try:
        for k, (off, length) in enumerate(parts):
            if k == 0:
                out: Any = subprocess.PIPE
            else:
                out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by procs.close()
                procs.files.append(out)
            g = _spawn([*grep_args(grep, cri), "-"], out)
            procs.procs.append(g)
            greps.append((g, out))
            c = _count_proc(wc, procs)
            counts.append(c)
            for proc in (g, c):
                t = threading.Thread(target=_sendfile, args=(fd, proc.stdin, off, length), daemon=True)
                t.start()
                procs.threads.append(t)
    except OSError:
        procs.close()
        os.close(fd)
        return None  # type: ignore[return-value]

    def gen() -> Iterator[tuple[int, str]]:
        data = _Data(fd, size)
        bom = 3 if magic[:3] == b"\xef\xbb\xbf" else 0
        win = _Windows(data, info, max_line, starts)
        win.cri = cri
        joins = _Joins() if cri else None
        try:
            yield from win.head(bom)
            base = 0
            for k, (off, _length) in enumerate(parts):
                g, out = greps[k]
                if k == 0:
                    stream = g.stdout
                else:
                    g.wait()
                    out.seek(0)
                    stream = out
                for n, o, raw, full, nxt in _hits(stream, max_line):
                    if joins is None:
                        yield from win.window(base + n, off + o, raw, full, nxt, off)
                    else:
                        yield from _grep_joined(win, joins, base + n, off + o, raw, full, nxt, off)
                if k == 0:
                    g.wait()
                if g.returncode not in (0, 1):
                    raise OSError(f"grep exited with status {g.returncode}")
                base += _wc_result(counts[k])
            yield from _plain_end(win, data, info, base, size, bom)
        except OSError as exc:
            msg = f"jgview: error reading '{info.name}': {exc}"
            info.errors.append(msg)
            on_error(msg)
        finally:
            procs.close()
            os.close(fd)

    return gen()


def _inflate(fd: int, name: str, emit: Callable[[bytes], None], lines: Callable[[], int]) -> tuple[str | None, bool]:
    """Decompress the gzip file ``fd`` into ``emit`` with the straightforward reader's decompressor
    (:func:`jgview.sources._gunzip`: every member, trailing NULs, the gzip-bomb bound). Returns
    ``(one-line problem or None, whether reading failed)``; ``lines()`` says how many lines were
    emitted so far."""
    from jgview import sources

    def raw() -> Iterator[bytes]:
        pos = 0
        while True:
            buf = os.pread(fd, 1 << 18, pos)
            if not buf:
                return
            pos += len(buf)
            yield buf

    try:
        for out in sources._gunzip(raw()):
            emit(out)
    except (sources._Truncated, sources._Corrupt, sources._Bomb) as exc:
        return sources.gzip_problem(name, exc, lines()), False
    except OSError as exc:
        return sources.gzip_problem(name, exc, lines()), True
    return None, False

def _grep_joined(win: _Windows, joins: _Joins, lineno: int, off: int, raw: bytes, full: int, nxt: _Hit | None,
                 base_off: int) -> Iterator[tuple[int, str]]:
    """The windows of one line grep found in a CRI file (:meth:`_Joins.line`)."""
    max_line = win.max_line
    ln = _Line(off, off + full + 1, raw, full > max_line)
    after = None
    if nxt is not None:
        o = base_off + nxt[1]
        after = _Line(o, o + nxt[3] + 1, nxt[2], nxt[3] > max_line)
    out: list[tuple[int, int, bool]] = []
    joins.line(lineno, ln, after, win.data, max_line, out)
    for n, o, cont in out:
        if n == lineno:
            yield from win.window_line(n, ln, nxt, base_off, cont)
        else:
            cand = after if after is not None and after.start == o else _line_at(win.data, o, max_line)
            if cand is not None:
                yield from win.window_line(n, cand, None, 0, cont)


def _run_gzip(fd: int, name: str, info: SourceInfo, on_error: OnError, max_line: int,
              starts: _Starts, cri: bool = False) -> Iterator[tuple[int, str]] | None:
    import subprocess
    import tempfile

    tools = _tools()
    assert tools is not None
    grep = tools[0]
    procs = _Procs()
    try:
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by procs.close()
        procs.files.append(tmp)
        g = _spawn([*grep_args(grep, cri), "-"], subprocess.PIPE)
        procs.procs.append(g)
    except OSError:
        procs.close()
        os.close(fd)
        return None
    data = _Data(tmp.fileno(), None)
    state: dict[str, Any] = {"lines": 0, "error": None, "last": b""}

    def feed() -> None:
        """grep reads the temporary file as it grows (so that decompression never waits for grep,
        and reading windows back never waits for a blocked grep)."""
        out = g.stdin
        fed = 0
        cond = data.cond
        assert cond is not None
        try:
            while True:
                with cond:
                    while data.size is None and data.written <= fed:
                        cond.wait(1.0)
                    upto = data.written
                    done = data.size is not None
                while fed < upto:
                    n = os.sendfile(out.fileno(), data.fd, fed, upto - fed)
                    if n <= 0:
                        return
                    fed += n
                if done and fed >= upto:
                    return
        except OSError:
            pass  # grep went away
        finally:
            try:
                out.close()
            except OSError:
                pass

    def inflate() -> None:
        tmp_fd = tmp.fileno()
        lines = 0
        last = b""

        def emit(buf: bytes) -> None:
            nonlocal lines, last
            if not buf:
                return
            view = memoryview(buf)
            while view:
                view = view[os.write(tmp_fd, view):]
            lines += buf.count(b"\n")
            last = buf[-1:]
            data.grow(len(buf))

        failed = True
        try:
            state["error"], failed = _inflate(fd, name, emit, lambda: lines)
        except Exception as exc:  # noqa: BLE001 - never leave the reader waiting
            state["error"] = f"jgview: error reading '{name}' after line {lines}: {exc}"
        finally:
            state["lines"] = lines
            state["last"] = last
            data.finish(failed)

    t = threading.Thread(target=inflate, daemon=True)
    t.start()
    procs.threads.append(t)
    f = threading.Thread(target=feed, daemon=True)
    f.start()
    procs.threads.append(f)

    def gen() -> Iterator[tuple[int, str]]:
        win = _Windows(data, info, max_line, starts)
        win.cri = cri
        joins = _Joins() if cri else None
        try:
            bom = 3 if data.read(0, 3) == b"\xef\xbb\xbf" else 0
            yield from win.head(bom)
            for n, o, raw, full, nxt in _hits(g.stdout, max_line):
                if joins is None:
                    yield from win.window(n, o, raw, full, nxt)
                else:
                    yield from _grep_joined(win, joins, n, o, raw, full, nxt, 0)
            g.wait()
            end = data.end()
            t.join()
            total = state["lines"] + (1 if end and state["last"] != b"\n" else 0)
            yield from win.tail(total, end)
            info.lines += total
            info.bytes += end - bom
        except OSError as exc:
            state["error"] = state["error"] or f"jgview: error reading '{name}': {exc}"
        finally:
            procs.close()
            os.close(fd)
        if state["error"]:
            info.errors.append(state["error"])
            on_error(state["error"])

    return gen()


# --------------------------------------------------------------------------------------------
# the native scanner (jgview._scan, a C extension): no grep process, no pipe, one pass


ENV_SCANNER = "JGVIEW_SCANNER"
"""``grep`` forces the grep scanner even when the native one is built (``native``: the default)."""
ENV_LEVEL = "JGVIEW_SCAN_LEVEL"
"""The native scanner's SIMD level at most: 0 scalar, 1 AVX2, 2 AVX-512BW, 3 AVX-512VBMI."""

PIECE = 2 << 20
"""Bytes the native scanner reads and scans at a time (newline-aligned pieces)."""
PIECE_SLACK = 256 << 10
"""A pooled piece buffer holds this much more than :data:`PIECE` (a piece ends at the first newline
after its nominal end); a longer piece gets a buffer of its own."""
AHEAD = 2
SWITCH_INTERVAL = 0.0005
"""Seconds between GIL hand-overs while pieces are read ahead (Python's default is 0.005)."""
"""Pieces read and scanned ahead of the one whose lines are being parsed."""
MAX_HITS = 1 << 16
"""Candidate lines taken from one scan call at most (bounds memory on a log of nothing else)."""
SAMPLE_BYTES = 1 << 18
"""Bytes read at each of four places to choose the scanner's anchors (the rarest bigrams)."""
_OVERLAP = 256
"""Bytes kept between two parts of one over-long line (longer than any scan word)."""

_NATIVE: list[Any] = []


def _native() -> Any:
    """The native scanner module, or None (not built, or ``JGVIEW_SCANNER=grep``)."""
    if os.environ.get(ENV_SCANNER, "").strip().lower() == "grep":
        return None
    if not _NATIVE:
        try:
            from jgview import _scan  # type: ignore[attr-defined]
        except ImportError:
            _scan = None
        _NATIVE.append(_scan)
    return _NATIVE[0]


def native_available() -> bool:
    """True when big inputs are scanned by the native scanner (built, and not turned off)."""
    return _native() is not None


_SCAN_WORDS: tuple[bytes, ...] | None = None


def scan_words() -> tuple[bytes, ...]:
    """The literals the native scanner looks for: :data:`~jgview.catalogue.CANDIDATE_KEYWORDS`, the
    keyword of every catalogue wording — exactly the lines :func:`~jgview.catalogue.is_candidate`
    takes. Finer than :func:`grep_words` (whose few short words suit grep): lines such as
    ``ISPN000554`` warnings, or rebalance lines of codes the catalogue does not read, are not read
    at all."""
    global _SCAN_WORDS
    if _SCAN_WORDS is None:
        from jgview.catalogue import CANDIDATE_KEYWORDS

        _SCAN_WORDS = tuple(dict.fromkeys(k.encode("utf-8") for k in CANDIDATE_KEYWORDS))
    return _SCAN_WORDS


def new_scanner(native: Any, words: tuple[bytes, ...], sample: bytes) -> Any:
    """A native ``Scanner`` of ``words`` anchored for ``sample``, at the SIMD level
    ``JGVIEW_SCAN_LEVEL`` allows (ValueError/TypeError/MemoryError when it cannot be made)."""
    level = os.environ.get(ENV_LEVEL, "").strip()
    return native.Scanner(words, sample, int(level) if level.isdigit() else -1)


def _scanner(native: Any, sample: Callable[[], bytes], key: Any = None, cri: bool = False) -> Any:
    """A scanner of :func:`scan_words` whose anchors suit ``sample()``; with a ``key`` (the file),
    the one made for it before is used again, its sample not even read (the parts of a file read by
    one worker: a scanner costs ~3 ms). ``cri``: it also finds a CRI file's partial lines
    (:data:`CRI_WORDS`, see :class:`_Joins`)."""
    if key is not None:
        key = (key, os.environ.get(ENV_LEVEL, "").strip(), cri)
        got = _SCANNERS.get(key)
        if got is not None:
            return got
    scanner = new_scanner(native, scan_words() + CRI_WORDS if cri else scan_words(), sample())
    if key is not None:
        if len(_SCANNERS) >= 16:
            _SCANNERS.clear()
        _SCANNERS[key] = scanner
    return scanner


_SCANNERS: dict[Any, Any] = {}


# --------------------------------------------------------------------------------------------
# CRI partial lines


CRI_WORDS = (b"stdout P ", b"stderr P ")
"""What the scanner of a CRI file also finds: its partial lines (``<time> stdout P <text>``)."""


def _is_cri(head: bytes) -> bool:
    """The input's first lines are a container runtime's log file (``<time> stdout|stderr P|F <text>``,
    as in ``/var/log/pods``)."""
    return any(_cri(line) is not None for line in head.split(b"\n", 16)[:16])


def _keyword_test(scanner: Any = None) -> Callable[[Any, int, int], bool]:
    """``test(buffer, start, end)``: whether ``buffer[start:end]`` holds one of :func:`scan_words`:
    one call of a native ``scanner`` of them (anchored for the file: on a file's text, anchors
    chosen for nothing can cost a hundred times more), or ``in`` tests."""
    if scanner is not None:
        scan = scanner.scan

        def test(buf: Any, start: int, end: int) -> bool:
            return bool(scan(buf, start, end, 1)[0])
        return test
    # the few candidate words first (each keyword holds one), then the keywords holding one found
    keywords = scan_words()
    short = [w.encode() for w in grep_words()]
    short = [w for w in short if any(w in k for k in keywords) and not any(o != w and o in w for o in short)]
    of_word = [(w, tuple(k for k in keywords if w in k)) for w in short]
    rest = tuple(k for k in keywords if not any(w in k for w in short))

    def test_in(buf: Any, start: int, end: int) -> bool:
        b = bytes(buf[start:end])
        for w, ks in of_word:
            if w in b and any(k in b for k in ks):
                return True
        return any(k in b for k in rest)
    return test_in


class _Joins:
    """Keywords cut between a CRI partial line and the line that continues it.

    The container runtime splits a long line (containerd: at 16 KiB) into partial lines
    (``<time> stdout P <text>``) and a last one (``… F …``), cutting it anywhere: a keyword may be cut
    too, in no physical line, while the records stage joins the pieces into one record. In a CRI
    file (:func:`_is_cri`) the scanner also finds the partial lines (:data:`CRI_WORDS`: such a hit
    says nothing of the line's own keywords, looked for here). From a partial line on, its run is
    walked: each line after a partial line whose first ``keep`` bytes of text (after its CRI
    prefix), after the last ``keep`` bytes of the text joined so far (``keep``: the longest
    keyword's length less one), hold a keyword is a candidate that continues the line before it
    (``cont``: its window looks back to the start of its record). A long run costs one walk (no
    line is looked at twice), the other files nothing.

    The candidates are ``(line number, offset, cont)``, appended to ``out`` in increasing line
    order, each once; the state goes on from one buffer of whole lines to the next (a run cut by
    the end of a piece, a segment, a grep range)."""

    __slots__ = ("test", "keep", "tail", "walked", "emitted", "open_line")

    def __init__(self, scanner: Any = None) -> None:
        self.test = _keyword_test(scanner)
        """Whether bytes hold a keyword (``scanner``: a native scanner of :func:`scan_words`)."""
        self.keep = max(len(w) for w in scan_words()) - 1
        self.tail: bytes | None = None
        """The last bytes of the joined text when the line ``walked`` is a partial line."""
        self.walked = 0
        """Number of the last line walked."""
        self.emitted = 0
        """Number of the last candidate given."""
        self.open_line = 0
        """Number of the partial line whose end was not in the buffer walked (an over-long line)."""

    def _emit(self, lineno: int, off: int, cont: bool, out: list[tuple[int, int, bool]]) -> None:
        if lineno > self.emitted:
            self.emitted = lineno
            out.append((lineno, off, cont))

    def start(self, buf: Any, pos: int, end: int, lineno: int, base: int,
              out: list[tuple[int, int, bool]]) -> None:
        """A buffer's lines ``buf[pos:end]`` (whole lines, the first numbered ``lineno``, at offset
        ``base + pos`` of the input) come next: a run that went on to the end of the buffer before
        goes on here."""
        if self.tail is not None:
            if self.walked == lineno - 1:
                self._walk(buf, pos, end, lineno, base, out)
            else:
                self.tail = None

    def hit(self, buf: Any, ls: int, end: int, lineno: int, base: int, out: list[tuple[int, int, bool]],
            line_off: int | None = None) -> None:
        """The scanner found the line ``lineno`` at ``buf[ls]`` (``line_off``: the line began
        before the buffer, at this offset of the input: an over-long line, a candidate)."""
        if line_off is not None:
            self._emit(lineno, line_off, False, out)
            return
        if lineno <= self.walked:
            if lineno == self.walked and self.tail is None:  # the line ending a run holds a keyword
                self._emit(lineno, base + ls, True, out)
            return  # (a partial line walked: its keywords were looked for)
        m = _cri(buf, ls, end)
        if m is not None and m.group(1) == b"P":
            self._walk(buf, ls, end, lineno, base, out, m)
        else:
            self._emit(lineno, base + ls, False, out)

    def _walk(self, buf: Any, pos: int, end: int, lineno: int, base: int, out: list[tuple[int, int, bool]],
              m: Any = None) -> None:
        """Walk the lines from ``buf[pos]`` (the line ``lineno``) while they are partial lines, and
        the one after the last: to the end of the buffer at most."""
        keep = self.keep
        test = self.test
        find = buf.find
        tail = self.tail if self.walked == lineno - 1 else None
        while pos < end:
            if m is None:
                m = _cri(buf, pos, end)
            body = m.end() if m is not None else pos
            self.walked = lineno
            if m is None or m.group(1) != b"P":  # the line after the last partial line
                if tail is not None:
                    head = min(end, body + keep)
                    nl = find(b"\n", body, head)
                    joined = tail + bytes(buf[body:head if nl < 0 else nl])
                    if test(joined, 0, len(joined)):
                        self._emit(lineno, base + pos, True, out)
                self.tail = None
                return
            le = find(b"\n", body, end)
            if le < 0:
                le = end
                self.open_line = lineno
            # its own keywords (the scanner's hit was the partial line's mark), or one cut before it
            if tail is None:
                if test(buf, body, le):
                    self._emit(lineno, base + pos, False, out)
                tail = bytes(buf[max(body, le - keep):le])
            else:
                joined = tail + bytes(buf[body:le])
                if test(joined, 0, len(joined)):
                    self._emit(lineno, base + pos, True, out)
                tail = joined[-keep:]
            lineno += 1
            pos = le + 1
            m = None
        self.tail = tail

    def resume(self, buf: Any, nl: int, end: int, lineno: int, line_off: int, base: int,
               out: list[tuple[int, int, bool]]) -> None:
        """The over-long line ``lineno`` (at offset ``line_off``, scanned in parts) ends at
        ``buf[nl]``, at least ``keep`` bytes into the buffer: when it is a partial line, the walk
        goes on after it."""
        if self.open_line == lineno and self.walked == lineno:
            if self.test(buf, 0, nl):
                self._emit(lineno, line_off, False, out)
            self.tail = bytes(buf[max(0, nl - self.keep):nl])
            self._walk(buf, nl + 1, end, lineno + 1, base, out)

    def line(self, lineno: int, ln: _Line, nxt: _Line | None, data: _Data, max_line: int,
             out: list[tuple[int, int, bool]]) -> None:
        """The grep scanner found the line ``lineno`` (``ln``; ``nxt``: the line after it, when
        grep printed it): grep finds every partial line (its mark), so a run is taken line by line."""
        raw = ln.raw
        cont = self.tail is not None and self.walked == lineno - 1
        m = _cri(raw)
        if m is None or m.group(1) != b"P":
            self._emit(lineno, ln.start, cont, out)
            self.tail, self.walked = None, lineno
            return
        body = m.end()
        keep = self.keep
        if ln.long or self.test(raw, body, len(raw)):
            self._emit(lineno, ln.start, cont, out)
        if ln.long:
            last = data.read(max(ln.start + body, ln.end - 1 - keep), keep + 1)
            last = last[:-1] if last[-1:] == b"\n" else last
        else:
            last = raw[max(body, len(raw) - keep):]
        tail = ((self.tail if cont and self.tail is not None else b"") + last)[-keep:]
        self.tail, self.walked = tail, lineno
        if nxt is None:
            nxt = _line_at(data, ln.end, max_line)
            if nxt is None:
                return
        r = nxt.raw
        mm = _cri(r)
        b = mm.end() if mm is not None else 0
        joined = tail + r[b:b + keep]
        if self.test(joined, 0, len(joined)):
            self._emit(lineno + 1, nxt.start, True, out)


def _pieces(fd: int, size: int, start: int = 0) -> list[tuple[int, int]]:
    """Newline-aligned ``(offset, length)`` pieces of about :data:`PIECE` bytes of the bytes
    ``start`` (a line start) to ``size``."""
    return [(start + off, length) for off, length in _split(fd, size - start, max(1, -(-(size - start) // PIECE)),
                                                            start)]


class _Scanned:
    """The scan of one piece: its bytes (while hits remain to be taken), hits, lines."""

    __slots__ = ("off", "data", "buf", "hits", "stop", "lines", "long")

    def __init__(self, off: int, data: Any, buf: Any, hits: list[tuple[int, int]], stop: int, lines: int,
                 long: bool) -> None:
        self.off, self.data, self.buf, self.hits, self.stop, self.lines, self.long = (
            off, data, buf, hits, stop, lines, long)


class _Buffers:
    """Reused piece buffers (a fresh 8 MiB object per piece makes the allocator hold on to memory)."""

    def __init__(self, n: int, size: int) -> None:
        import mmap
        import queue

        self.size = size
        self.free: Any = queue.SimpleQueue()
        for _ in range(n):
            # anonymous private memory: its pages are zeroed by the kernel when first written, not up
            # front; private, so that a forked worker never writes into its parent's (or a sibling's)
            self.free.put(mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | getattr(mmap, "MAP_ANONYMOUS", 0x20)))

    def take(self, length: int) -> Any:
        """A buffer of at least ``length`` bytes (a new one when longer than the pooled ones)."""
        import queue

        if length <= self.size:
            try:
                return self.free.get_nowait()
            except queue.Empty:  # all in use (another input read at the same time): a new one
                pass
        return bytearray(length)

    def give_back(self, buf: Any) -> None:
        if buf is not None and len(buf) == self.size:
            self.free.put(buf)


_SWITCH: list[float] = [0, 0.0]
"""Readers using a short GIL switch interval, and the interval before the first one."""


def _short_switch(on: bool) -> None:
    """The reading threads need the GIL for a moment per piece; the parsing thread holds it almost
    all the time and would keep them waiting up to 5 ms each time: while any plain file is read, a
    short switch interval (readers closed in any order give the old one back at the last)."""
    if on:
        if _SWITCH[0] == 0:
            _SWITCH[1] = sys.getswitchinterval()
            sys.setswitchinterval(min(_SWITCH[1], SWITCH_INTERVAL))
        _SWITCH[0] += 1
    elif _SWITCH[0] > 0:
        _SWITCH[0] -= 1
        if _SWITCH[0] == 0:
            sys.setswitchinterval(_SWITCH[1])


_BUFFERS: list[_Buffers] = []
if hasattr(os, "register_at_fork"):
    # a forked worker makes buffers of its own (its reads must never meet another process's)
    os.register_at_fork(after_in_child=_BUFFERS.clear)


def _buffers() -> _Buffers:
    """The process's piece buffers (kept from one input to the next: their pages stay mapped)."""
    size = PIECE + PIECE_SLACK
    if not _BUFFERS or _BUFFERS[0].size != size:
        _BUFFERS[:] = [_Buffers(AHEAD + 1, size)]
    return _BUFFERS[0]


def _scan_piece(fd: int, off: int, length: int, scanner: Any, buffers: _Buffers) -> _Scanned:
    """Read and scan one piece (runs in a pool thread; the read and the scan release the GIL). A
    piece much longer than :data:`PIECE` is one over-long line: it is read in parts (``long``)."""
    if length > 4 * PIECE:
        return _Scanned(off, b"", None, [], 0, 0, True)
    buf = buffers.take(length)
    try:
        # one call, one release of the GIL for the read and the scan
        hits, stop, lines, got = scanner.read_scan(fd, off, length, buf, MAX_HITS)
    except BaseException:
        buffers.give_back(buf)
        raise
    if got < length:
        buffers.give_back(buf)
        raise OSError("the file became shorter while it was read")
    return _Scanned(off, memoryview(buf)[:got], buf, hits, stop, lines, False)


def _long_piece(fd: int, off: int, length: int, scanner: Any, counted: list[int], joins: _Joins | None = None,
                first: int = 1) -> Iterator[tuple[int, int, bool]]:
    """``(line index in the piece, line start offset, cont)`` of the candidate lines of a piece that
    holds an over-long line, read in parts of :data:`PIECE` bytes: parts end at a newline where
    there is one; inside a line, the next part starts :data:`_OVERLAP` bytes early so that no word
    is cut, and a line is reported once. ``counted[0]``: the piece's newlines, when done. With
    ``joins`` (a CRI file, its first line numbered ``first``): as :class:`_Joins` says (the tail of
    a partial line longer than a part is not looked at)."""
    pos = off
    end = off + length
    lines = 0
    line_start = off
    last_hit_line = -1
    out: list[tuple[int, int, bool]] = []
    while pos < end:
        chunk = os.pread(fd, min(PIECE, end - pos), pos)
        if not chunk:
            raise OSError("the file became shorter while it was read")
        at_end = pos + len(chunk) >= end
        j = chunk.rfind(b"\n")
        whole = j >= 0 or at_end
        upto = (len(chunk) if at_end else j + 1) if whole else len(chunk)
        if joins is not None:
            if pos == line_start:
                joins.start(chunk, 0, upto, first + lines, pos, out)
            elif whole:  # the end of an over-long line (this part starts _OVERLAP bytes back in it)
                nl = chunk.find(b"\n", 0, upto)
                if nl >= 0:
                    joins.resume(chunk, nl, upto, first + lines, line_start, pos, out)
            if whole:
                start = 0
                while start < upto:
                    hits, stop, n = scanner.scan(chunk, start, upto, MAX_HITS)
                    for li, ls in hits:
                        joins.hit(chunk, ls, upto, first + lines + li, pos, out,
                                  None if ls > 0 or pos == line_start else line_start)
                    lines += n
                    start = stop
            else:
                hits, _stop, _n = scanner.scan(chunk, 0, len(chunk), 1)
                if hits:
                    joins.hit(chunk, 0, len(chunk), first + lines, pos, out,
                              None if pos == line_start else line_start)
                joins.tail = None  # (the end of this line is not here)
            for lineno, o, cont in out:
                yield lineno - first, o, cont
            out.clear()
        elif whole:
            start = 0
            while start < upto:
                hits, stop, n = scanner.scan(chunk, start, upto, MAX_HITS)
                for li, ls in hits:
                    idx = lines + li
                    if idx != last_hit_line:
                        last_hit_line = idx
                        yield idx, (pos + ls) if (ls > 0 or pos == line_start) else line_start, False
                lines += n
                start = stop
        else:  # inside one line: scan it all, go on from the last _OVERLAP bytes
            hits, _stop, _n = scanner.scan(chunk, 0, len(chunk), 1)
            if hits and lines != last_hit_line:
                last_hit_line = lines
                yield lines, line_start, False
        if whole:
            nl = chunk.rfind(b"\n", 0, upto)
            if nl >= 0:
                line_start = pos + nl + 1
            pos += upto
        else:
            pos += max(1, len(chunk) - _OVERLAP)
    counted[0] = lines


def _run_native_plain(fd: int, size: int, magic: bytes, info: SourceInfo, on_error: OnError, max_line: int,
                      nthreads: int, starts: _Starts, native: Any,
                      span: tuple[int, int] | None = None, cri: bool = False) -> Iterator[tuple[int, str]]:
    start, end = span if span is not None else (0, size)
    try:
        key = None
        if span is not None:
            st = os.fstat(fd)
            key = (st.st_dev, st.st_ino, size)
        def sample() -> bytes:
            return b"".join(os.pread(fd, SAMPLE_BYTES, start + (end - start) * k // 8) for k in (1, 3, 5, 7))

        scanner = _scanner(native, sample, key, cri)
        joins = _Joins(_scanner(native, sample, key)) if cri else None
    except (ValueError, TypeError, MemoryError, OSError):
        os.close(fd)
        return None  # type: ignore[return-value]

    def gen() -> Iterator[tuple[int, str]]:
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        data = _Data(fd, size)
        bom = 3 if magic[:3] == b"\xef\xbb\xbf" and start == 0 else 0
        win = _Windows(data, info, max_line, starts)
        win.cri = cri
        pool = ThreadPoolExecutor(max_workers=max(1, nthreads), thread_name_prefix="jgview-scan")
        buffers = _buffers()
        ahead: deque[Any] = deque()
        _short_switch(True)
        try:
            win.limit = end
            if start == 0:
                yield from win.head(bom, end)
            else:  # a later span: nothing before its start is looked back at
                win.upto_end = start
                win.next_sample = start + SAMPLE_EVERY
            pieces = deque(_pieces(fd, end, start))
            base = 0  # lines before the piece
            while pieces or ahead:
                while pieces and len(ahead) < AHEAD:
                    off, length = pieces.popleft()
                    ahead.append((off, length, pool.submit(_scan_piece, fd, off, length, scanner, buffers)))
                off, length, fut = ahead.popleft()
                sc = fut.result()
                if sc.long:
                    counted = [0]
                    long_hits = _long_piece(fd, off, length, scanner, counted, joins, base + 1)
                    for idx, line_start, cont in long_hits:
                        ln = _line_at(data, line_start, max_line)
                        if ln is not None:
                            yield from win.window_line(base + idx + 1, ln, cont=cont)
                    base += counted[0]
                    continue
                lines = 0
                data.piece_off, data.piece = off, sc.data
                try:
                    got = len(sc.data)
                    if joins is not None:  # a CRI file: the candidates as _Joins says
                        out: list[tuple[int, int, bool]] = []
                        joins.start(sc.buf, 0, got, base + 1, off, out)
                        while True:
                            for li, ls in sc.hits:
                                joins.hit(sc.buf, ls, got, base + lines + li + 1, off, out)
                            for lineno, o, cont in out:
                                ln = _line_at(data, o, max_line)
                                if ln is not None:
                                    yield from win.window_line(lineno, ln, cont=cont)
                            out.clear()
                            lines += sc.lines
                            if sc.stop >= got:
                                break
                            sc.hits, sc.stop, sc.lines = scanner.scan(sc.data, sc.stop, got, MAX_HITS)
                    else:
                        while True:
                            for li, ls in sc.hits:
                                ln = _line_at(data, off + ls, max_line)
                                if ln is not None:
                                    yield from win.window_line(base + lines + li + 1, ln)
                            lines += sc.lines
                            if sc.stop >= got:
                                break
                            sc.hits, sc.stop, sc.lines = scanner.scan(sc.data, sc.stop, got, MAX_HITS)
                finally:
                    data.piece_off, data.piece = -1, b""
                    sc.data = b""
                    buffers.give_back(sc.buf)
                base += lines
            if end == size:
                yield from _plain_end(win, data, info, base, size - start, bom, size)
            else:  # the span ends after a newline (a line start of the next one)
                info.lines += base
                info.bytes += end - start - bom
        except OSError as exc:
            msg = f"jgview: error reading '{info.name}': {exc}"
            info.errors.append(msg)
            on_error(msg)
        finally:
            _short_switch(False)
            pool.shutdown(wait=True, cancel_futures=True)
            for _off, _length, fut in ahead:  # stopped early: the pieces read ahead give their buffers back
                if not fut.cancelled() and fut.exception() is None:
                    buffers.give_back(fut.result().buf)
            os.close(fd)

    return gen()



COALESCE = 256 << 10
"""Inflated bytes joined before they are scanned and kept (members of a few bytes each would
otherwise make as many chunks)."""

MAX_QUEUED = 1 << 17
"""Candidate lines the gzip inflater gets ahead of the reader at most (unless the reader waits for
bytes not yet inflated: then the inflater goes on)."""

HIT, SAMPLE, PROGRESS, JOINED = 0, 1, 2, 3
"""Kinds of the items the inflater hands to the reader: a candidate line, a sample line (one per
:data:`SAMPLE_EVERY` bytes, for midnight rollovers), how far it has scanned (nothing to read), a
candidate line that continues a CRI partial line (:class:`_Joins`)."""


class _Hits:
    """Items ``(kind, line number, line start)`` handed from the inflater thread to the reader, in
    order. ``idle``: the reader waits for items (then the inflater must not wait for it)."""

    def __init__(self, data: _Data) -> None:
        from collections import deque

        self.data = data
        self.items: Any = deque()
        self.count = 0
        self.done = False
        self.idle = False
        self.cond = threading.Condition()

    def put(self, items: list[tuple[int, int, int]]) -> None:
        with self.cond:
            while self.count > MAX_QUEUED and not self.data.waiting and not self.done:
                self.cond.wait(0.05)
            self.items.append(items)
            self.count += len(items)
            self.cond.notify_all()

    def nudge(self, scanned: tuple[int, int]) -> bool:
        """When the reader waits for items: hand it how far the scan is (it frees memory up to
        there). True when it did."""
        with self.cond:
            if not self.idle or self.items:
                return False
            self.items.append([(PROGRESS, scanned[1], scanned[0])])
            self.cond.notify_all()
            return True

    def finish(self) -> None:
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def __iter__(self) -> Iterator[list[tuple[int, int, int]]]:
        while True:
            with self.cond:
                while not self.items and not self.done:
                    self.idle = True
                    self.cond.wait(0.05)
                self.idle = False
                if not self.items:
                    return
                items = self.items.popleft()
                self.count -= len(items)
                self.cond.notify_all()
            yield items


class _StreamScan:
    """Scans inflated bytes as they come: newline-aligned parts (an over-long line in parts with an
    overlap, reported once), line numbers counted across, a sample line every
    :data:`SAMPLE_EVERY` bytes."""

    LONG = 4 * PIECE

    def __init__(self, native: Any, out: _Hits, cri: bool = False) -> None:
        self.native = native
        self.out = out
        self.cri = cri
        self.joins: _Joins | None = None
        self.scanner: Any = None
        self.carry = b""
        self.carry_start = 0
        """Offset of ``carry``'s first byte."""
        self.lines = 0
        """Newlines before ``carry_start``."""
        self.line_start = 0
        """Offset where the line holding ``carry_start`` starts."""
        self.reported = -1
        """Line number last reported."""
        self.next_sample = SAMPLE_EVERY
        self.scanned = 0
        """Offset up to which everything was scanned and reported."""

    def _start(self, buf: bytes) -> None:
        """The scanner(s), anchored for the first bytes inflated."""
        self.scanner = _scanner(self.native, lambda: buf[:SAMPLE_BYTES * 4], None, self.cri)
        if self.cri:
            self.joins = _Joins(_scanner(self.native, lambda: buf[:SAMPLE_BYTES * 4]))

    def _samples(self, seg: bytes, upto: int) -> list[tuple[int, int, int]]:
        """Sample lines starting in ``seg[:upto]`` (a whole number of lines)."""
        out = []
        base = self.carry_start
        while self.next_sample < base + upto:
            rel = self.next_sample - base
            if rel <= 0:
                s_rel = 0 if self.line_start == base else -1
            else:
                j = seg.find(b"\n", rel - 1, upto)
                s_rel = j + 1 if j >= 0 else -1
            if s_rel < 0 or s_rel >= upto:
                break
            out.append((SAMPLE, self.lines + seg.count(b"\n", 0, s_rel) + 1, base + s_rel))
            self.next_sample = base + s_rel + SAMPLE_EVERY
        return out

    def _scan(self, seg: bytes, upto: int, whole_lines: bool) -> None:
        sc = self.scanner
        samples = self._samples(seg, upto) if whole_lines else []
        joins = self.joins
        first_whole = self.line_start == self.carry_start
        out: list[tuple[int, int, bool]] = []
        if joins is not None:
            if first_whole:
                joins.start(seg, 0, upto, self.lines + 1, self.carry_start, out)
            elif whole_lines:  # the end of an over-long line (the carry kept _OVERLAP bytes of it)
                nl = seg.find(b"\n", 0, upto)
                if nl >= 0:
                    joins.resume(seg, nl, upto, self.lines + 1, self.line_start, self.carry_start, out)
        start = 0
        while start < upto:
            hits, stop, n = sc.scan(seg, start, upto, MAX_HITS)
            batch = []
            if joins is not None:  # a CRI file: the candidates as _Joins says
                for li, ls in hits:
                    joins.hit(seg, ls, upto, self.lines + li + 1, self.carry_start, out,
                              None if ls > 0 or first_whole else self.line_start)
                items = [(JOINED if cont else HIT, lineno, o) for lineno, o, cont in out]
                out.clear()
            else:
                items = [(HIT, self.lines + li + 1, self.carry_start + ls if (ls > 0 or first_whole)
                          else self.line_start) for li, ls in hits]
            for kind, lineno, o in items:
                if lineno != self.reported:
                    self.reported = lineno
                    while samples and samples[0][1] < lineno:
                        batch.append(samples.pop(0))
                    if samples and samples[0][1] == lineno:
                        samples.pop(0)
                    batch.append((kind, lineno, o))
            if stop >= upto:
                batch.extend(samples)
            if batch:
                self.out.put(batch)
            self.lines += n
            start = stop
        if joins is not None and not whole_lines:
            joins.tail = None  # (the end of this over-long line is not here: its tail is not looked at)

    def feed(self, buf: bytes) -> None:
        if self.scanner is None:
            self._start(buf)
        seg = self.carry + buf if self.carry else buf
        k = seg.rfind(b"\n")
        if k >= 0:
            self._scan(seg, k + 1, True)
            self.carry_start += k + 1
            self.line_start = self.carry_start
            self.carry = seg[k + 1:]
            self.scanned = self.carry_start
        else:
            self.carry = seg
        if len(self.carry) > self.LONG:  # inside an over-long line: scan it, keep the overlap
            self._scan(self.carry, len(self.carry), False)
            keep = self.carry[-_OVERLAP:]
            self.carry_start += len(self.carry) - len(keep)
            self.carry = keep
            self.scanned = self.carry_start

    def close(self) -> None:
        if self.carry:
            if self.scanner is None:
                self._start(self.carry)
            self._scan(self.carry, len(self.carry), self.line_start == self.carry_start)
            self.carry = b""


def _run_native_gzip(fd: int, name: str, info: SourceInfo, on_error: OnError, max_line: int,
                     starts: _Starts, native: Any, cri: bool = False) -> Iterator[tuple[int, str]] | None:
    """A gzip file: a thread inflates it into memory (:class:`_Ring`, bounded) and scans it as it
    comes; the reader reads the windows from memory. Nothing is written anywhere."""
    data = _Ring()
    hits = _Hits(data)
    stream = _StreamScan(native, hits, cri)
    data.on_full = lambda: hits.nudge((stream.scanned, stream.lines + 1))
    state: dict[str, Any] = {"lines": 0, "error": None, "last": b""}

    def inflate() -> None:
        lines = 0
        last = b""

        small: list[bytes] = []  # small inflated pieces (a gzip member per line) joined first
        small_n = 0

        def flush() -> None:
            nonlocal small_n
            if small:
                buf = small[0] if len(small) == 1 else b"".join(small)
                small.clear()
                small_n = 0
                data.append(buf)
                stream.feed(buf)

        def emit(buf: bytes) -> None:
            nonlocal lines, last, small_n
            if not buf:
                return
            lines += buf.count(b"\n")
            last = buf[-1:]
            small.append(buf)
            small_n += len(buf)
            if small_n >= COALESCE:
                flush()

        failed = True
        try:
            state["error"], failed = _inflate(fd, name, emit, lambda: lines)
            flush()
            stream.close()
        except Exception as exc:  # noqa: BLE001 - never leave the reader waiting
            state["error"] = state["error"] or f"jgview: error reading '{name}' after line {lines}: {exc}"
        finally:
            state["lines"] = lines
            state["last"] = last
            data.finish(failed)
            hits.finish()

    t = threading.Thread(target=inflate, daemon=True)

    def gen() -> Iterator[tuple[int, str]]:
        from collections import deque

        t.start()  # when the reading starts, not before
        win = _Windows(data, info, max_line, starts)
        win.cri = cri
        win.next_sample = 1 << 62  # the inflater picks the sample lines (it knows their numbers)
        done = False
        try:
            bom = 3 if data.read(0, 3) == b"\xef\xbb\xbf" else 0
            yield from win.head(bom)
            win.next_sample = 1 << 62  # (the head moved it)
            # sample lines are held back until no later window's look-back can reach them (a
            # sample yielded inside the lines a candidate looks back over would cut its record)
            held: deque[tuple[int, int, str]] = deque()

            def far(before_line: int, before_off: int, reach_lines: int = BACK_LINES,
                    reach_bytes: int = BACK_BYTES) -> Iterator[tuple[int, str]]:
                """The held samples out of reach of a look-back (``reach_lines``, ``reach_bytes``)
                from ``before_line``/``before_off``."""
                while held and (held[0][0] < before_line - reach_lines - 1 or held[0][1] <= before_off - reach_bytes):
                    n, e, text = held.popleft()
                    if n > win.upto:
                        win.upto, win.upto_end = n, e
                        yield n, text

            for items in hits:
                for kind, lineno, start in items:
                    if kind == PROGRESS:  # nothing to read before here but a look-back's reach
                        yield from far(lineno, start)
                        data.release(start - BACK_BYTES)
                        continue
                    yield from far(lineno, start)
                    if kind == SAMPLE:
                        data.release(min(win.upto_end, start))
                        ln = _line_at(data, start, max_line)
                        if ln is not None and lineno > win.upto:
                            held.append((lineno, ln.end, win._text(ln)))
                        continue
                    held.clear()  # within this window's reach: it reads those lines itself, or not
                    data.release(min(win.upto_end, start))
                    ln = _line_at(data, start, max_line)
                    if ln is not None:
                        yield from win.window_line(lineno, ln, cont=kind == JOINED)
            end = data.end()
            t.join()
            total = state["lines"] + (1 if end and state["last"] != b"\n" else 0)
            yield from far(total, end, TAIL_LINES, TAIL_BYTES)  # the tail's own reach
            data.release(win.upto_end)
            yield from win.tail(total, end)
            info.lines += total
            info.bytes += end - bom
            done = True
        except OSError as exc:
            state["error"] = state["error"] or f"jgview: error reading '{name}': {exc}"
            done = True
        finally:
            hits.finish()
            data.close()
            t.join(timeout=10)
            os.close(fd)
        if done and state["error"]:
            info.errors.append(state["error"])
            on_error(state["error"])

    return gen()
