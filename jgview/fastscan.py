"""Fast reading of big inputs: the system's ``grep`` finds the candidate lines, Python reads only
the line *windows* around them.

The records stage builds records only from candidate lines (:func:`jgview.catalogue.is_candidate`:
every line that can hold a membership event contains one of the catalogue's
:data:`~jgview.catalogue.CANDIDATE_WORDS`). On a big log nearly all lines are not candidates, and
reading them in Python is what makes the straightforward path (:func:`jgview.sources.open_lines`)
slow. Here GNU grep (``LC_ALL=C grep -a -n -b -E WORDS``, argument lists, never a shell) scans the
file, and :func:`open_lines` yields — in increasing line order, like ``open_lines`` — only:

- the *head*: the first :data:`HEAD_LINES` lines (the first time, the layout, CSV headers);
- each candidate line, with the lines before it back to the start of its record when it is itself
  a continuation line (a java.util.logging ``LEVEL: message`` line, ``Caused by: …``) and the lines
  after it up to the next line that starts a record of the same pod (continuation lines, wrapped
  views), bounded like the records stage's joining (200 lines, 1 MiB);
- one line every :data:`SAMPLE_EVERY` bytes between windows (numbered inside the gap), so that the
  date of time-only (WildFly console) logs still rolls over at midnight across long gaps;
- the *tail*: the last :data:`TAIL_LINES` lines (the last time).

Whether a line starts a record is decided by the records stage's own parser, once per line
*shape* (the first bytes with digits and letters folded), so the windows follow the layouts.
Between two windows there is a gap in the line numbers; the records stage never joins a line
after a gap to a record before it.

A plain file is split into newline-aligned byte ranges, one per available CPU (at most
:data:`MAX_RANGES`), each fed to its own grep through a pipe with ``os.sendfile`` from a thread,
and counted by ``wc -l`` the same way (to number the lines of the next range). A gzip file
(by its magic bytes) is decompressed with :mod:`zlib` in a thread (which releases the GIL) into an
unlinked temporary file and into grep's standard input at once; the windows are read back from the
temporary file. ``info.lines`` and ``info.bytes`` are the whole input's.

When grep is not GNU grep, or is missing, or the input is not a regular file, UTF-16, or a
CSV/TSV export, :func:`open_lines` returns None and the caller uses the straightforward path.
Memory stays bounded: no input is held, every line read is cut at ``max_line`` bytes.
"""

from __future__ import annotations

import os
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
"""Bytes searched for the end of one over-long line before the window stops there."""
_SHAPES = 4096
_SHAPE_BYTES = 24

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
        }
        self.__dict__.update(compiled)
        return compiled[name]


_RX = _Rx()


def grep_args(grep: str = "grep") -> list[str]:
    """The grep command line (without the input): ``-a -n -b -E`` and an alternation of the
    candidate words, each escaped for POSIX extended regular expressions."""
    pattern = "|".join("".join("\\" + c if c in _ERE_SPECIAL else c for c in w) for w in grep_words())
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

    _BLOCK = 1 << 14
    _cache_off = -1
    _cache = b""

    def read(self, off: int, n: int) -> bytes:
        """Bytes ``off`` to ``off + n`` (fewer at the end of the data)."""
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
                while self.size is None and off + n > self.written:
                    cond.wait(1.0)
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
        if raw[:5] == b"[pod/":
            j = raw.find(b"] ", 5, 600)
            if j > 0:
                k = raw.find(b"/", 5, j)
                if k > 5:
                    key = raw[5:k]
                body = raw[j + 2:]
        folded = body[:_SHAPE_BYTES].translate(_FOLD)
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


def _line_at(data: _Data, off: int, max_line: int, first: int = 4096) -> _Line | None:
    """The line starting at ``off`` (None at the end of the data, or when it is too long to find
    its end within ``_SCAN_LIMIT``)."""
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
    while pos - off < _SCAN_LIMIT:
        chunk = data.read(pos, 1 << 20)
        if not chunk:
            return _Line(off, pos, head, True)
        i = chunk.find(b"\n")
        if i >= 0:
            return _Line(off, pos + i + 1, head, True)
        pos += len(chunk)
    return None


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
        """Offset after the last line yielded."""
        self.next_sample = SAMPLE_EVERY
        from jgview.sources import _decode_line

        self.decode = _decode_line

    def _text(self, ln: _Line) -> str:
        raw = ln.raw
        if ln.long:
            self.info.long_lines += 1
        elif b"\r" not in raw and b"\x00" not in raw:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
        if not raw:
            return ""
        return self.decode(raw, self.info, ln.long)

    def head(self, bom: int) -> Iterator[tuple[int, str]]:
        """The first :data:`HEAD_LINES` lines, and on to the first line that starts a record
        (where the records stage finds the first time) within :data:`SCAN_LINES`."""
        off = bom
        n = 0
        started = False
        while (n < HEAD_LINES or not started) and n < max(HEAD_LINES, SCAN_LINES) and off < HEAD_BYTES + bom:
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
            buf = self.data.read(off - 1, 65536)
            i = buf.find(b"\n")
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

    def window(self, lineno: int, off: int, raw: bytes, full: int, nxt: _Hit | None = None,
               base_line: int = 0, base_off: int = 0) -> Iterator[tuple[int, str]]:
        """The lines of one candidate's window not yielded yet (``nxt``: the line after it, as
        grep printed it, numbered from ``base_line``/``base_off``)."""
        max_line = self.max_line
        cand = _Line(off, off + full + 1, raw, full > max_line)
        starts, key = self.starts(raw)
        if lineno > self.upto:
            back: list[_Line] = []
            if not starts:
                before = _lines_before(self.data, off, min(self.upto_end, off),
                                       min(BACK_LINES, lineno - self.upto - 1), BACK_BYTES, max_line)
                for ln in before:
                    back.append(ln)
                    s, kk = self.starts(ln.raw)
                    if s and kk == key:
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
        while n - lineno < FORWARD_LINES and size < FORWARD_BYTES:
            if nxt is not None:
                o = base_off + nxt[1]
                ln = _Line(o, o + nxt[3] + 1, nxt[2], nxt[3] > max_line)
                nxt = None
            else:
                ln = _line_at(self.data, pos, max_line)
            if ln is None:
                break
            s, kk = self.starts(ln.raw)
            if s and kk == key:
                break
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
) -> Iterator[tuple[int, str]] | None:
    """``(line number, text)`` of the lines of a big input that the records stage needs, or None
    when the fast scanner does not apply (the caller then reads every line).

    ``threshold``: smallest on-disk size read this way (default :func:`min_size`; None: never).
    ``ranges``: how many parallel ranges for a plain file (default: the CPUs available, at most
    :data:`MAX_RANGES`; also ``JGVIEW_FASTSCAN_RANGES``). ``read_options``, ``pod_hint`` and
    ``container_hint`` are those the records stage gets (to tell record starts the same way).
    """
    if threshold == -1:
        threshold = min_size()
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
    if magic[:2] in (b"\xff\xfe", b"\xfe\xff") or _tools() is None:
        os.close(fd)
        return None
    gz = magic[:2] == b"\x1f\x8b"
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
    if gz:
        return _run_gzip(fd, inp.name, info, on_error, max_line, starts)
    return _run_plain(fd, st.st_size, magic, info, on_error, max_line, max(1, ranges), starts)


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


def _split(fd: int, size: int, n: int) -> list[tuple[int, int]]:
    """``n`` newline-aligned byte ranges ``(offset, length)`` covering the file."""
    bounds = [0]
    for k in range(1, n):
        want = max(bounds[-1], size * k // n)
        pos = want
        found = -1
        while pos < size:
            buf = os.pread(fd, 1 << 16, pos)
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


def _run_plain(fd: int, size: int, magic: bytes, info: SourceInfo, on_error: OnError, max_line: int,
               nranges: int, starts: _Starts) -> Iterator[tuple[int, str]]:
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
            g = _spawn([*grep_args(grep), "-"], out)
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
                    yield from win.window(base + n, off + o, raw, full, nxt, base, off)
                if k == 0:
                    g.wait()
                if g.returncode not in (0, 1):
                    raise OSError(f"grep exited with status {g.returncode}")
                base += _wc_result(counts[k])
            total = base
            if size and data.read(size - 1, 1) != b"\n":
                total += 1
            yield from win.tail(total, size)
            info.lines += total
            info.bytes += size - bom
        except OSError as exc:
            msg = f"jgview: error reading '{info.name}': {exc}"
            info.errors.append(msg)
            on_error(msg)
        finally:
            procs.close()
            os.close(fd)

    return gen()


def _run_gzip(fd: int, name: str, info: SourceInfo, on_error: OnError, max_line: int,
              starts: _Starts) -> Iterator[tuple[int, str]] | None:
    import subprocess
    import tempfile
    import zlib

    tools = _tools()
    assert tools is not None
    grep = tools[0]
    procs = _Procs()
    try:
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by procs.close()
        procs.files.append(tmp)
        g = _spawn([*grep_args(grep), "-"], subprocess.PIPE)
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

        def corrupt(why: str) -> str:
            return f"jgview: '{name}' has corrupt gzip data after line {lines} ({why}); the rest is skipped"

        failed = False
        d = zlib.decompressobj(31)
        pos = 0
        pending = b""
        try:
            while True:
                if not pending:
                    pending = os.pread(fd, 1 << 18, pos)
                    pos += len(pending)
                    if not pending:
                        if not d.eof:
                            try:
                                emit(d.flush())
                            except zlib.error:
                                pass
                            state["error"] = (
                                f"jgview: '{name}' is a truncated gzip file: read {lines} lines before the "
                                "data ended (was it still being written or cut by a transfer?)")
                        break
                    if d.eof:  # the last member ended where a read ended
                        if not pending.strip(b"\x00"):
                            pending = b""
                            continue
                        if pending[:1] != b"\x1f":
                            state["error"] = corrupt("trailing data after the last gzip member")
                            break
                        d = zlib.decompressobj(31)
                emit(d.decompress(pending, 1 << 20))
                pending = d.unconsumed_tail
                if d.eof:
                    rest = d.unused_data
                    if rest.strip(b"\x00"):
                        if rest[:2] != b"\x1f\x8b":
                            state["error"] = corrupt("trailing data after the last gzip member")
                            break
                        d = zlib.decompressobj(31)
                        pending = rest
                    else:
                        pending = b""
        except zlib.error as exc:
            state["error"] = corrupt(str(exc))
        except OSError as exc:
            state["error"] = f"jgview: error reading '{name}' after line {lines}: {exc}"
            failed = True
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
        try:
            bom = 3 if data.read(0, 3) == b"\xef\xbb\xbf" else 0
            yield from win.head(bom)
            for n, o, raw, full, nxt in _hits(g.stdout, max_line):
                yield from win.window(n, o, raw, full, nxt)
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
