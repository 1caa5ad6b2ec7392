"""Inputs: find them (:func:`discover`) and read their lines (:func:`open_lines`).

The first stage of the pipeline. It knows nothing of log layouts: it turns paths (or stdin)
into :class:`Input` values, and an input into ``(line number, text)`` pairs, decoding gzip
(detected by its magic bytes, whatever the file is called), UTF-8 with replacement, and the
odd bytes that real log files carry (CRLF, NUL runs left by copytruncate, a UTF-8 or UTF-16
byte order mark). Work and memory are bounded per line and per input; I/O problems are reported
through ``on_error`` as one line naming the input, never raised.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from jgview.lazy import LazyPattern
from jgview.models import SourceInfo
from jgview.struct import Struct

__all__ = ["Input", "STDIN_NAME", "discover", "open_lines", "pod_hint_from_path"]

STDIN_NAME = "<stdin>"

_CHUNK = 1 << 20
"""Bytes read (or decompressed) per step."""

_GZIP_MAGIC = b"\x1f\x8b"

GZIP_MAX_RATIO = 200
"""A gzip input that expands more than this many times is a gzip bomb: reading stops there.
Log text compresses 5–30 times, very repetitive logs up to ~60; deflate's limit is ~1030."""
GZIP_RATIO_GRACE = 1 << 20
"""Decompressed bytes always read before :data:`GZIP_MAX_RATIO` is checked. NUL bytes (runs left
by copytruncate, dropped without work per byte) count 1/64: up to 64 MiB of them is no bomb."""

# Names a directory walk picks up (an explicitly named file is always read).
_TEXT_EXTS = frozenset({"log", "txt", "json", "jsonl", "ndjson", "csv", "tsv", "out", "err"})
_BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".pdf", ".jar", ".war", ".ear",
    ".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz", ".bz2", ".xz", ".zst", ".7z", ".rar",
    ".class", ".so", ".dll", ".exe", ".bin", ".o", ".a", ".pyc", ".whl", ".rpm", ".deb", ".iso",
    ".img", ".dmg", ".woff", ".woff2", ".ttf", ".otf", ".mp3", ".mp4", ".mov", ".avi", ".hprof",
    ".jfr", ".db", ".sqlite", ".p12", ".jks", ".keystore", ".der", ".gpg",
)

# File-name stems that say nothing about the pod: look at the directories instead.
_GENERIC_STEMS = frozenset({
    "server", "console", "output", "stdout", "stderr", "current", "previous", "log", "logs",
    "messages", "all", "combined", "app", "application", "container", "pod", "pods", "out",
    "kubectl", "oc", "boot", "audit", "main", "default", "tmp", "data", "export", "insecure", "",
})
_POD_LIKE = LazyPattern(re.compile, r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?")
_PREVIOUS = LazyPattern(re.compile, r"(?:^|[-_.])previous(?:[-_.]|$)", re.IGNORECASE)
_PREVIOUS_END = LazyPattern(re.compile, r"[-_.]previous$", re.IGNORECASE)
_PREVIOUS_START = LazyPattern(re.compile, r"^previous[-_.]", re.IGNORECASE)
_PREVIOUS_MID = LazyPattern(re.compile, r"[-_.]previous([-_.])", re.IGNORECASE)


class Input(Struct):
    """One input to read: a file or stdin."""

    name: str
    """Display name: the path as given (joined below a given directory), or ``<stdin>``."""
    path: str | None
    """``None`` for stdin."""
    pod_hint: str | None
    """Pod from the file name (``keycloak-0.log``, ``keycloak-0_keycloak.log``,
    ``pod-keycloak-1.log.gz``, ``keycloak-0-previous.log``, ``oc adm inspect`` and
    ``/var/log/pods`` trees) or from ``--pod``."""
    container: str | None = None
    """Container from the file name (``POD_CONTAINER.log``) or the directory tree."""
    previous: bool = False
    """The file name says it is a ``--previous`` log."""


# --------------------------------------------------------------------------------------------
# discover


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc) or exc.__class__.__name__


def _wanted(name: str) -> bool:
    """Whether a directory walk reads a file of this name."""
    lower = name.lower()
    if lower.endswith(_BINARY_SUFFIXES):
        return False
    parts = lower.split(".")
    if len(parts) == 1:
        return True  # no extension: `kubectl logs pod > keycloak-0`
    exts = parts[1:]
    if exts[-1] == "gz":
        exts = exts[:-1]
        if not exts:
            return True
    if exts[-1] in _TEXT_EXTS:
        return True
    # rotated: server.log.1, server.log.2.gz, server.log.2024-05-01
    return any(e in ("log", "txt", "out") for e in exts[:-1])


def _json_document(path: str) -> bool:
    """A pretty-printed JSON document or array (Kubernetes objects, a test's expectations),
    not JSON lines: a directory walk leaves it out."""
    if not path.lower().endswith(".json"):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False  # reported when read
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"[":
        return True
    return text[:1] == b"{" and text.split(b"\n", 1)[0].strip() == b"{"


def _split_stem(name: str) -> str:
    """File name without compression, rotation and log extensions."""
    parts = name.split(".")
    # drop everything from the first known extension on (keycloak-0.log.2.gz -> keycloak-0)
    for i in range(1, len(parts)):
        if parts[i].lower() in _TEXT_EXTS or parts[i].lower() == "gz":
            return ".".join(parts[:i])
    return name


def _generic(stem: str) -> bool:
    """A name that says nothing about the pod (``server``, ``0``, ``current.insecure``)."""
    return all(p.lower() in _GENERIC_STEMS or p.isdigit() for p in stem.split("."))


def pod_hint_from_path(path: str) -> tuple[str | None, str | None, bool]:
    """``(pod, container, previous)`` as far as a path tells.

    Understands ``POD.log``, ``POD_CONTAINER.log``, ``pod-POD.log.gz``, ``POD-previous.log``,
    ``oc adm inspect``/must-gather trees (``.../pods/POD/CONTAINER/CONTAINER/logs/current.log``),
    kubelet trees (``/var/log/pods/NS_POD_UID/CONTAINER/0.log``,
    ``/var/log/containers/POD_NS_CONTAINER-ID.log``) and ``POD/<generic name>.log``.
    """
    norm = path.replace("\\", "/").rstrip("/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if not parts:
        return None, None, False
    name = parts[-1]
    dirs = parts[:-1]
    previous = bool(_PREVIOUS.search(name))
    stem = _split_stem(name)
    stem = _PREVIOUS_END.sub("", stem)
    stem = _PREVIOUS_START.sub("", stem)
    stem = _PREVIOUS_MID.sub(r"\1", stem)

    container: str | None = None
    generic = _generic(stem)
    # oc adm inspect / must-gather: namespaces/NS/pods/POD/CONTAINER/CONTAINER/logs/current.log
    if generic and "pods" in dirs:
        i = len(dirs) - 1 - dirs[::-1].index("pods")
        below = dirs[i + 1:]
        if below:
            pod = below[0]
            container = below[1] if len(below) > 1 and below[1] != "logs" else None
            if "_" in pod and pod.count("_") >= 2:  # /var/log/pods/NS_POD_UID/CONTAINER/0.log
                pod = pod.split("_")[1]
            return pod, container, previous
    # /var/log/containers/POD_NS_CONTAINER-<64 hex>.log
    if dirs and dirs[-1] == "containers" and stem.count("_") == 2:
        pod, _ns, tail = stem.split("_")
        container = re.sub(r"-[0-9a-f]{64}$", "", tail)
        return pod, container or None, previous

    lower = stem.lower()
    for prefix in ("pod-", "pod_", "pod."):
        if lower.startswith(prefix) and len(stem) > len(prefix):
            stem = stem[len(prefix):]
            lower = stem.lower()
            break
    if "_" in stem:
        # pod names cannot contain "_": POD_CONTAINER
        first, _, second = stem.partition("_")
        if first and _POD_LIKE.fullmatch(first):
            stem, container = first, (second.split("_")[0] or None)
    if _generic(stem):
        # server.log in a directory named after the pod
        for d in reversed(dirs):
            if d.lower() in _GENERIC_STEMS or d.startswith("."):
                continue
            if _POD_LIKE.fullmatch(d) and "-" in d:
                return d, container, previous
            break
        return None, container, previous
    return stem, container, previous


def _make_input(path: str) -> Input:
    pod, container, previous = pod_hint_from_path(path)
    return Input(name=path, path=path, pod_hint=pod, container=container, previous=previous)


def _walk(top: str, on_error: Callable[[str], None], seen_files: set[tuple[int, int]],
          visited: set[tuple[int, int]]) -> list[Input]:
    """Files below ``top`` in sorted order, depth first, never entering a directory twice."""
    found: list[Input] = []
    try:
        st = os.stat(top)
    except OSError as exc:
        on_error(f"jgview: cannot read '{top}': {_strerror(exc)}")
        return found
    visited.add((st.st_dev, st.st_ino))
    stack: list[Iterator[os.DirEntry[str]]] = []

    def listing(d: str) -> Iterator[os.DirEntry[str]] | None:
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            on_error(f"jgview: cannot read '{d}': {_strerror(exc)}")
            return None
        return iter(entries)

    first = listing(top)
    if first is not None:
        stack.append(first)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        try:
            est = os.stat(entry.path)  # follows links; a dangling link raises
        except OSError:
            continue
        key = (est.st_dev, est.st_ino)
        if stat.S_ISDIR(est.st_mode):
            if key in visited:  # a link back to a directory already walked: a loop
                continue
            visited.add(key)
            sub = listing(entry.path)
            if sub is not None:
                stack.append(sub)
        elif stat.S_ISREG(est.st_mode) and _wanted(entry.name):
            if key in seen_files or _json_document(entry.path):
                continue
            seen_files.add(key)
            found.append(_make_input(entry.path))
    return found


def discover(paths: list[str], on_error: Callable[[str], None]) -> list[Input]:
    """Turn command-line paths into inputs.

    No path, or ``-``, is stdin. Directories are walked recursively in sorted order, picking
    log-looking names (``*.log *.txt *.json *.jsonl *.csv *.tsv *.gz``, rotated ``*.log.1``,
    ``*.log.2.gz``, names without extension), skipping hidden names, binaries and symlink loops.
    A missing or unreadable path is reported through ``on_error`` and the others go on.
    """
    if not paths:
        return [Input(name=STDIN_NAME, path=None, pod_hint=None)]
    out: list[Input] = []
    seen_files: set[tuple[int, int]] = set()
    visited: set[tuple[int, int]] = set()
    stdin_taken = False
    for p in paths:
        if p == "-":
            if not stdin_taken:
                out.append(Input(name=STDIN_NAME, path=None, pod_hint=None))
                stdin_taken = True
            continue
        try:
            st = os.stat(p)
        except OSError as exc:
            on_error(f"jgview: cannot read '{p}': {_strerror(exc)}")
            continue
        if stat.S_ISDIR(st.st_mode):
            if (st.st_dev, st.st_ino) in visited:
                continue
            found = _walk(p, on_error, seen_files, visited)
            if not found:
                on_error(f"jgview: no log files found in '{p}' (looked for *.log, *.txt, *.json, "
                         "*.csv, *.gz and names without extension)")
            out.extend(found)
            continue
        if not os.access(p, os.R_OK):
            on_error(f"jgview: cannot read '{p}': Permission denied")
            continue
        if stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen_files:
                continue
            seen_files.add(key)
        out.append(_make_input(p))
    return out


# --------------------------------------------------------------------------------------------
# open_lines


class _Truncated(Exception):
    pass


class _Corrupt(Exception):
    pass


class _TooBig(Exception):
    pass


class _Bomb(Exception):
    """``args``: (decompressed bytes, compressed bytes consumed)."""


def _raw_reader(stream: Any) -> Callable[[int], bytes]:
    """A ``read(n)`` that returns what is available (pipes: don't wait for a full chunk)."""
    read = getattr(stream, "read1", None) or stream.read

    def rd(n: int) -> bytes:
        data = read(n)
        if isinstance(data, str):  # a text stream without .buffer (tests, StringIO)
            data = data.encode("utf-8", "surrogateescape")
        return data or b""

    return rd


def _chunks(stream: Any, max_bytes: int | None) -> Iterator[bytes]:
    """Decoded byte chunks of a stream: plain, gzip (by magic, multi-member) or UTF-16."""
    rd = _raw_reader(stream)
    first = rd(_CHUNK)
    while 0 < len(first) < 4:
        more = rd(_CHUNK)
        if not more:
            break
        first += more
    if not first:
        return
    produced = 0

    def bounded(data: bytes) -> bytes:
        nonlocal produced
        produced += len(data)
        if max_bytes is not None and produced > max_bytes:
            raise _TooBig(data[: max(0, len(data) - (produced - max_bytes))])
        return data

    def raw() -> Iterator[bytes]:
        yield first
        while True:
            data = rd(_CHUNK)
            if not data:
                return
            yield data

    if first[:2] == _GZIP_MAGIC:
        source: Iterator[bytes] = _gunzip(raw())
    else:
        source = raw()

    head = True
    decoder: codecs.IncrementalDecoder | None = None
    for data in source:
        if head:
            if not data:
                continue
            head = False
            if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                decoder = codecs.getincrementaldecoder("utf-16")("replace")
            elif data[:3] == codecs.BOM_UTF8:
                data = data[3:]
        if decoder is not None:
            data = decoder.decode(data).encode("utf-8", "replace")
        if data:
            yield bounded(data)
    if decoder is not None:
        tail = decoder.decode(b"", final=True).encode("utf-8", "replace")
        if tail:
            yield bounded(tail)


def gzip_problem(name: str, exc: Exception, lineno: int) -> str:
    """The one-line problem of :func:`_gunzip`'s exceptions (and of a read error), after
    ``lineno`` lines."""
    if isinstance(exc, _Truncated):
        return (f"jgview: '{name}' is a truncated gzip file: read {lineno} lines before the data "
                "ended (was it still being written or cut by a transfer?)")
    if isinstance(exc, _Corrupt):
        return f"jgview: '{name}' has corrupt gzip data after line {lineno} ({exc}); the rest is skipped"
    if isinstance(exc, _Bomb):
        out_b, in_b = exc.args
        return (f"jgview: '{name}' looks like a gzip bomb ({in_b} compressed bytes expanded to {out_b}, over "
                f"{GZIP_MAX_RATIO} times); stopped after line {lineno}, the rest is not read")
    detail = _strerror(exc) if isinstance(exc, OSError) else str(exc)
    return f"jgview: error reading '{name}' after line {lineno}: {detail}"


def _gunzip(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress gzip members one after another, with bounded output per step.

    Raises :class:`_Bomb` once the output passes :data:`GZIP_RATIO_GRACE` bytes and is more than
    :data:`GZIP_MAX_RATIO` times the compressed bytes consumed (work per input byte is bounded)."""
    d = zlib.decompressobj(31)
    data = next(raw, b"")
    total_in = 0
    total_out = 0
    work = 0
    while True:
        while data:
            try:
                out = d.decompress(data, _CHUNK)
            except zlib.error as exc:
                raise _Corrupt(str(exc)) from None
            total_in += len(data) - len(d.unconsumed_tail) - (len(d.unused_data) if d.eof else 0)
            if out:
                total_out += len(out)
                nul = out.count(0)
                work += len(out) - nul + nul // 64
                if work > GZIP_RATIO_GRACE and total_out > GZIP_MAX_RATIO * max(total_in, 1):
                    raise _Bomb(total_out, total_in)
                yield out
            data = d.unconsumed_tail
            if d.eof:
                rest = d.unused_data
                if rest.strip(b"\x00"):
                    # the next member's magic may be cut by the end of this read (b"\x1f" alone)
                    if not _GZIP_MAGIC.startswith(rest[:2]):
                        raise _Corrupt("trailing data after the last gzip member")
                    d = zlib.decompressobj(31)
                    data = rest
                else:
                    data = b""
        nxt = next(raw, None)
        if nxt is None:
            if not d.eof:
                try:
                    tail = d.flush()
                except zlib.error:
                    tail = b""
                if tail:
                    yield tail
                raise _Truncated()
            return
        if d.eof:
            if not nxt.strip(b"\x00"):
                continue
            if nxt[:1] != _GZIP_MAGIC[:1]:
                raise _Corrupt("trailing data after the last gzip member")
            d = zlib.decompressobj(31)
        data = nxt


def _decode_line(b: bytes, info: SourceInfo, truncated: bool) -> str:
    if b[-1:] == b"\r":
        b = b[:-1]
    if b"\x00" in b:
        b = b.replace(b"\x00", b"")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError as exc:
        if truncated and exc.end >= len(b) - 3 and exc.reason == "unexpected end of data":
            # the cut fell inside a multi-byte character
            try:
                return b[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
        info.undecodable_lines += 1
        return b.decode("utf-8", "replace")


def open_lines(
    inp: Input,
    info: SourceInfo,
    on_error: Callable[[str], None],
    *,
    max_line: int = 4 * 1024 * 1024,
    max_bytes: int | None = None,
    stdin: Any = None,
) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for every physical line of an input, 1-based.

    Gzip is recognized by its magic bytes (also several concatenated members); a truncated or
    corrupt gzip yields what was decoded and then calls ``on_error`` once. Text is UTF-8 with
    replacement characters (lines with invalid bytes are counted in ``info.undecodable_lines``);
    a UTF-16 file (BOM) is converted; CR of CRLF and NUL bytes are removed. Lines longer than
    ``max_line`` bytes are cut to ``max_line`` and counted in ``info.long_lines``; the rest of
    such a line is discarded as it is read. ``max_bytes`` bounds the decoded data of one input
    (a gzip bomb). ``info.lines`` and ``info.bytes`` are updated; errors are also appended to
    ``info.errors``. Never raises for I/O or data errors.
    """
    name = inp.name

    def fail(msg: str) -> None:
        info.errors.append(msg)
        on_error(msg)

    stream: Any
    if inp.path is None:
        stream = stdin if stdin is not None else sys.stdin
        stream = getattr(stream, "buffer", stream)
        close = False
        if stream is None:  # no standard input at all
            return
    else:
        try:
            stream = open(inp.path, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            fail(f"jgview: cannot read '{name}': {_strerror(exc)}")
            return
        close = True
    try:
        yield from _lines(stream, name, info, fail, max(1, max_line), max_bytes)
    finally:
        if close:
            try:
                stream.close()
            except OSError:
                pass


def _lines(stream: Any, name: str, info: SourceInfo, fail: Callable[[str], None],
           max_line: int, max_bytes: int | None) -> Iterator[tuple[int, str]]:
    lineno = 0
    pending: list[bytes] = []  # parts of the current unfinished line
    plen = 0
    over = False  # the current line passed max_line; its rest is being discarded
    chunks = _chunks(stream, max_bytes)
    error: str | None = None
    try:
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except _TooBig as big:
                chunk = big.args[0]
                error = (f"jgview: '{name}': stopped after {max_bytes} bytes of data "
                         "(the limit for one input); the rest is not read")
            info.bytes += len(chunk)
            k = chunk.rfind(b"\n")
            if k < 0:
                if not over:
                    room = max_line - plen
                    if len(chunk) > room:
                        pending.append(chunk[:room])
                        plen = max_line
                        over = True
                    else:
                        pending.append(chunk)
                        plen += len(chunk)
                if error:
                    break
                continue
            start = 0
            if pending or over:
                j = chunk.find(b"\n")
                if not over:
                    part = chunk[:j]
                    if len(part) > max_line - plen:
                        part = part[: max_line - plen]
                        over = True
                    pending.append(part)
                line = b"".join(pending)
                lineno += 1
                info.lines += 1
                if over:
                    info.long_lines += 1
                yield lineno, _decode_line(line, info, over)
                pending = []
                plen = 0
                over = False
                start = j + 1
            if start <= k:
                bulk = chunk[start:k]
                if b"\r" in bulk:
                    bulk = bulk.replace(b"\r\n", b"\n")
                    if bulk[-1:] == b"\r":
                        bulk = bulk[:-1]
                if b"\x00" in bulk:
                    bulk = bulk.replace(b"\x00", b"")
                if len(bulk) > max_line:
                    texts = []
                    for b in bulk.split(b"\n"):
                        if len(b) > max_line:
                            info.long_lines += 1
                            texts.append(_decode_line(b[:max_line], info, True))
                        else:
                            texts.append(_decode_line(b, info, False))
                else:
                    try:
                        texts = bulk.decode("utf-8").split("\n")
                    except UnicodeDecodeError:
                        texts = [_decode_line(b, info, False) for b in bulk.split(b"\n")]
                n = len(texts)
                info.lines += n
                yield from zip(range(lineno + 1, lineno + 1 + n), texts, strict=True)
                lineno += n
            tail = chunk[k + 1:]
            if tail:
                if len(tail) > max_line:
                    pending.append(tail[:max_line])
                    plen = max_line
                    over = True
                else:
                    pending.append(tail)
                    plen = len(tail)
            if error:
                break
    except (_Truncated, _Corrupt, _Bomb, OSError) as exc:
        error = gzip_problem(name, exc, lineno)
    except ValueError as exc:  # a closed stream
        error = f"jgview: error reading '{name}' after line {lineno}: {exc}"
    if pending or over:
        lineno += 1
        info.lines += 1
        if over:
            info.long_lines += 1
        yield lineno, _decode_line(b"".join(pending), info, over)
    if error:
        fail(error)
