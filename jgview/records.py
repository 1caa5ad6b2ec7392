"""Records: peel envelopes, parse the layout, join multi-line records.

Second stage of the pipeline: ``(line number, text)`` pairs in, :class:`~jgview.models.Record`
values out. Per line, first the *envelopes* come off, in a loop and in whatever order they nest
(ANSI colours, kubectl ``--prefix`` and ``--timestamps`` (also the timestamps kubelet puts in the
middle of a long line it split into 16 KiB chunks), CRI log files, CI-runner timestamps,
docker-compose ``name-1 |``, stern ``POD CONTAINER``, docker json-file / stern / fluent JSON
wrappers, CSV/TSV exports), then a *layout* (data files in ``jgview/layouts/``) parses the
header. A line that no layout parses is still a record (layout ``unknown``, message = the line).

Only *candidate* records are built: the caller passes a cheap predicate (the events stage's
keyword search) and every other line is skipped with as little work as possible, while the
source's first and last times, its layout and its pods are still learned.
"""

from __future__ import annotations

import bisect
import os
import json
import re
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from itertools import chain
from pathlib import Path
from typing import Any

from jgview.lazy import LazyPattern
from jgview.models import Record, SourceInfo
from jgview.struct import Struct, field
from jgview.struct import fields as struct_fields

__all__ = [
    "Layout",
    "LineParser",
    "ReadOptions",
    "iter_records",
    "load_layouts",
    "parse_line",
    "parse_timestamp",
]

UTC = timezone.utc

# Bounds -------------------------------------------------------------------------------------
_MAX_RECORD_LINES = 200
"""Physical lines joined into one record at most."""
_MAX_RECORD_BYTES = 1 << 20
"""Characters of one joined record at most."""
_MAX_FREE_LINES = 50
"""Non-indented lines without a layout accepted as continuation of an open record."""
_LOOKBACK_FREE = 8
"""Same, when looking back from a candidate continuation line for the record's first line."""
_RING_LINES = 256
"""Recent lines kept for look-back and the last time."""
_RING_LINE = 64 << 10
"""Characters of a recent line kept (bounds the ring's memory)."""
_SCAN_LINES = 1000
"""Lines parsed fully at the start of a source while looking for its first time."""
_LAST_LINES = 64
"""Lines parsed at the end of a source looking for its last time."""
_IDLE_LINES = 1000
"""An open record of one pod is closed after this many lines of other pods."""
_RAW_MAX = 16384
"""Characters of the first physical line kept in ``Record.raw``."""
_MAX_ENVELOPES = 8
_EMBEDDED_WINDOW = 300.0
"""Seconds: a timestamp inside a line is a chunk's own kubelet stamp when this close to the
line's leading one (chunks of one line are written together; a logged time is kept)."""

_CONTINUATION_PREFIXES = ("Caused by:", "Suppressed:", "... ", "\tat ", "at ", "Wrapped by:")


# --------------------------------------------------------------------------------------------
# options


class ReadOptions(Struct):
    """How to read records."""

    date: date | None = None
    """``--date``: the date of the first line of time-only logs (WildFly console)."""
    pod: str | None = None
    """``--pod``: the pod of lines that name none (stdin)."""
    tz: tzinfo = UTC
    """Zone of timestamps printed without one."""


# --------------------------------------------------------------------------------------------
# layouts


class Layout(Struct, frozen=True):
    """A log layout loaded from ``jgview/layouts/<name>.json``."""

    name: str
    description: str
    kind: str
    """``regex`` (named groups ``time``, ``date``, ``level``, ``logger``, ``thread``, ``body``)
    or ``json`` (``fields`` map record fields to JSON keys, dotted keys also walk nested
    objects)."""
    priority: int
    patterns: tuple[re.Pattern[str], ...] = ()
    """Compiled patterns (or :class:`~jgview.lazy.LazyPattern` of them: the packaged layouts)."""
    next_pattern: re.Pattern[str] | None = None
    """Second physical line of a two-line record (java.util.logging): ``level`` and ``body``."""
    time_formats: tuple[str, ...] = ()
    """strptime-like formats (``%Y %m %d %H %I %M %S %f %p %b %z``) for ``date time`` (or
    ``time`` alone when the line has no date)."""
    require: tuple[str, ...] = ()
    """JSON layouts: the object must have one of these keys."""
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fallback: bool = False
    """A loose layout: never remembered as the source's layout to try first."""
    envelope: bool = False
    """JSON: when the object has no level nor logger, its message is a line to parse again
    (docker json-file, stern ``-o json``, log shippers)."""
    samples: tuple[Mapping[str, Any], ...] = ()

    def match(self, body: str) -> dict[str, str] | None:
        for pat in self.patterns:
            m = pat.match(body)
            if m is not None:
                d = m.groupdict()
                if None in d.values():
                    return {k: v for k, v in d.items() if v is not None}
                return d
        return None


def _layout_from_json(data: Mapping[str, Any], origin: str, lazy: bool = False) -> Layout:
    """``lazy``: patterns compiled when first used (the packaged layouts: the tests compile them all)."""
    compile: Any = (lambda p: LazyPattern(re.compile, p)) if lazy else re.compile
    try:
        name = data["name"]
        kind = data.get("type", "regex")
        regex = data.get("regex", {})
        if isinstance(regex, str):
            regex = {"main": regex}
        patterns = tuple(compile(p) for p in regex.values())
        nxt = data.get("next")
        fields = {k: tuple([v] if isinstance(v, str) else v) for k, v in data.get("fields", {}).items()}
        layout = Layout(
            name=name,
            description=data["description"],
            kind=kind,
            priority=int(data.get("priority", 50)),
            patterns=patterns,
            next_pattern=compile(nxt) if nxt else None,
            time_formats=tuple(data.get("time_format", ())),
            require=tuple(data.get("require", ())),
            fields=fields,
            fallback=bool(data.get("fallback", False)),
            envelope=bool(data.get("envelope", False)),
            samples=tuple(data.get("samples", ())),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"bad layout file {origin}: {exc}") from exc
    if kind not in ("regex", "json"):
        raise ValueError(f"bad layout file {origin}: unknown type {kind!r}")
    if kind == "regex" and not patterns:
        raise ValueError(f"bad layout file {origin}: no regex")
    if kind == "json" and "body" not in fields:
        raise ValueError(f"bad layout file {origin}: no body field")
    return layout


_DEFAULT_LAYOUTS: tuple[Layout, ...] | None = None
LAYOUTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layouts")
"""The packaged layouts."""


def load_layouts(directory: str | Path | None = None) -> tuple[Layout, ...]:
    """The layouts of a directory of ``*.json`` files (default: the packaged ones), by priority."""
    global _DEFAULT_LAYOUTS
    if directory is None and _DEFAULT_LAYOUTS is not None:
        return _DEFAULT_LAYOUTS
    out: list[Layout] = []
    if directory is None:
        directory = LAYOUTS_DIR  # (a directory of the package, read as one: importlib.resources costs ~5 ms)
    entries = []
    for name in os.listdir(directory):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                entries.append((name, f.read()))
    for fname, text in sorted(entries):
        out.append(_layout_from_json(json.loads(text), fname, lazy=directory is LAYOUTS_DIR))
    out.sort(key=lambda lay: (lay.priority, lay.name))
    result = tuple(out)
    if directory is LAYOUTS_DIR:
        _DEFAULT_LAYOUTS = result
    return result


# --------------------------------------------------------------------------------------------
# time

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

_ISO = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9})\d*)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?\s*$"
)

_FMT_TOKENS = {
    "Y": r"(?P<Y>\d{4})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})",
    "I": r"(?P<I>\d{1,2})",
    "M": r"(?P<M>\d\d)",
    "S": r"(?P<S>\d\d)",
    "f": r"(?P<f>\d{1,9})",
    "p": r"(?P<p>[AaPp][Mm])",
    "b": r"(?P<b>[A-Za-z]{3})",
    "z": r"(?P<z>Z|[+-]\d\d:?\d\d)",
    "%": "%",
}
_FMT_CACHE: dict[str, re.Pattern[str]] = {}


def _fmt_regex(fmt: str) -> re.Pattern[str]:
    pat = _FMT_CACHE.get(fmt)
    if pat is None:
        out = []
        i = 0
        while i < len(fmt):
            c = fmt[i]
            if c == "%" and i + 1 < len(fmt):
                tok = _FMT_TOKENS.get(fmt[i + 1])
                if tok is None:
                    raise ValueError(f"unsupported time format directive %{fmt[i + 1]} in {fmt!r}")
                out.append(tok)
                i += 2
            else:
                out.append(re.escape(c))
                i += 1
        pat = re.compile("".join(out) + r"\Z")
        _FMT_CACHE[fmt] = pat
    return pat


def _offset(z: str) -> tzinfo:
    if z in ("Z", "z", "UTC", "GMT"):
        return UTC
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    if hours == 0 and minutes == 0:
        return UTC
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


_FIXED_WIDTH = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}


class _FixedFormat(Struct, frozen=True):
    """A format of numeric fields between non-digit separators (``%Y-%m-%d %H:%M:%S,%f``), read
    with positional groups when the text has the usual widths (two-digit month, day, hour …):
    the same values :func:`_fmt_regex`'s pattern gives, without its named-group bookkeeping."""

    pattern: re.Pattern[str]
    order: tuple[int, ...]
    """Group numbers (from 0) of Y, m, d, H, M, S (of H, M, S when the format has no date)."""
    frac: int
    """Group number of ``%f`` (the last field), -1 when none."""
    dated: bool


_FIXED_CACHE: dict[str, _FixedFormat | None] = {}


def _fixed_format(fmt: str) -> _FixedFormat | None:
    try:
        return _FIXED_CACHE[fmt]
    except KeyError:
        pass
    out: list[str] = []
    names: list[str] = []
    ok = True
    after_field = False
    i = 0
    while i < len(fmt) and ok:
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            i += 2
            if after_field or d in names or (d == "f" and i != len(fmt)) \
                    or (d != "f" and d not in _FIXED_WIDTH):
                ok = False  # two fields in a row, a repeat, %f not last, %p %b %z %I %%
            else:
                out.append(r"(\d{1,9})\Z" if d == "f" else rf"(\d{{{_FIXED_WIDTH[d]}}})")
                names.append(d)
                after_field = True
        else:
            if c.isdigit():
                ok = False
            out.append(re.escape(c))
            i += 1
            after_field = False
    result = None
    if ok:
        if "f" not in names:
            out.append(r"\Z")
        dated = set(names) - {"f"} == {"Y", "m", "d", "H", "M", "S"}
        if dated or set(names) - {"f"} == {"H", "M", "S"}:
            keys = ("Y", "m", "d", "H", "M", "S") if dated else ("H", "M", "S")
            result = _FixedFormat(re.compile("".join(out)), tuple(names.index(k) for k in keys),
                                  names.index("f") if "f" in names else -1, dated)
    if len(_FIXED_CACHE) < 64:
        _FIXED_CACHE[fmt] = result
    return result


def _fixed_time(text: str, fixed: _FixedFormat, tz: tzinfo | None = None) -> datetime | time | bool | None:
    """``text`` read with a fixed format: the datetime (naive, or in ``tz`` when given) or time of
    day; None when the fields are out of range (as :func:`strptime_lite`); False when the text is
    not of the format's usual widths (then :func:`strptime_lite` decides)."""
    m = fixed.pattern.match(text)
    if m is None:
        return False
    g = m.groups()
    o = fixed.order
    f = g[fixed.frac] if fixed.frac >= 0 else ""
    try:
        micro = int((f + "000000")[:6]) if f else 0
        if fixed.dated:
            return datetime(int(g[o[0]]), int(g[o[1]]), int(g[o[2]]), int(g[o[3]]), int(g[o[4]]),
                            min(int(g[o[5]]), 59), micro, tz)
        return time(int(g[o[0]]), int(g[o[1]]), min(int(g[o[2]]), 59), micro)
    except ValueError:
        return None


def strptime_lite(text: str, fmt: str) -> tuple[date | None, time, tzinfo | None] | None:
    """Parse ``text`` with a strptime-like ``fmt``; locale-independent, 9-digit fractions.

    Returns ``(date or None, time, zone or None)``, or None when it does not match.
    """
    fixed = _fixed_format(fmt)
    if fixed is not None:
        got = _fixed_time(text, fixed)
        if got is None:
            return None
        if isinstance(got, datetime):
            return got.date(), got.time(), None
        if got is not False:
            return None, got, None  # type: ignore[return-value]
    m = _fmt_regex(fmt).match(text)
    if m is None:
        return None
    g = m.groupdict()
    try:
        hour = int(g["H"]) if g.get("H") else 0
        if g.get("I"):
            hour = int(g["I"]) % 12
            if (g.get("p") or "").upper() == "PM":
                hour += 12
        frac = g.get("f") or ""
        micro = int((frac + "000000")[:6]) if frac else 0
        t = time(hour, int(g.get("M") or 0), min(int(g.get("S") or 0), 59), micro)
        d = None
        if g.get("Y"):
            month = int(g["m"]) if g.get("m") else _MONTHS.get((g.get("b") or "").lower(), 0)
            d = date(int(g["Y"]), month, int(g.get("d") or 1))
        tz = _offset(g["z"]) if g.get("z") else None
    except (ValueError, KeyError):
        return None
    return d, t, tz


def _to_utc(dt: datetime, tz: tzinfo) -> datetime | None:
    """``dt`` in UTC (``tz`` when it has no zone); None when that falls outside the years 1–9999
    (a date at either end of the range, shifted by its offset)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    try:
        return dt if dt.tzinfo is UTC else dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _iso(text: str) -> datetime | None:
    """ISO 8601 / RFC 3339 (9 fractional digits, ``Z`` or offsets); naive when no zone."""
    m = _ISO.match(text)
    if m is None:
        return None
    y, mo, d, h, mi, s, frac, z = m.groups()
    try:
        micro = int((frac + "000000")[:6]) if frac else 0
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), min(int(s or 0), 59), micro)
        if z:
            dt = dt.replace(tzinfo=_offset(z))
    except ValueError:
        return None
    return dt


_ANY_FORMATS = (
    "%b %d, %Y @ %H:%M:%S.%f",  # Kibana CSV export
    "%b %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S,%f",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
    "%d/%b/%Y:%H:%M:%S %z",
)


def parse_timestamp(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """A timestamp from a JSON value or a CSV cell: ISO 8601, epoch (s/ms/µs/ns), Kibana's
    ``May 1, 2024 @ 10:00:00.123`` and a few others. Aware UTC, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _epoch(float(value))
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 64:
        return None
    dt = _iso(s)
    if dt is not None:
        return _to_utc(dt, tz)
    if s.replace(".", "", 1).isdigit():
        return _epoch(float(s))
    for fmt in _ANY_FORMATS:
        r = strptime_lite(s, fmt)
        if r is not None and r[0] is not None:
            return _to_utc(datetime.combine(r[0], r[1], tzinfo=r[2]), tz)
    return None


def _epoch(v: float) -> datetime | None:
    if v <= 0:
        return None
    while v > 1e11:  # ms, µs, ns
        v /= 1000.0
    try:
        return datetime.fromtimestamp(v, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class _Days:
    """Dates of time-only lines: ``--date`` or the last dated line, plus midnight rollovers.

    Keeps, per key (the kubectl ``--prefix`` pod, or None), the line numbers where the date
    changed, so a record is dated by its own first line even when later lines were seen first.
    """

    __slots__ = ("base", "state")

    def __init__(self, base: date | None) -> None:
        self.base = base
        self.state: dict[str | None, tuple[list[int], list[date | None], list[int | None]]] = {}

    def _get(self, key: str | None) -> tuple[list[int], list[date | None], list[int | None]]:
        st = self.state.get(key)
        if st is None:
            st = ([0], [self.base], [None])
            self.state[key] = st
        return st

    def tod(self, key: str | None, lineno: int, secs: int) -> None:
        linenos, dates, prev = self._get(key)
        last = prev[0]
        if last is not None and secs < last - 3600:
            cur = dates[-1]
            linenos.append(lineno)
            dates.append(cur + timedelta(days=1) if cur is not None else None)
        prev[0] = secs

    def dated(self, key: str | None, lineno: int, d: date, secs: int) -> None:
        linenos, dates, prev = self._get(key)
        if dates[-1] != d:
            linenos.append(lineno)
            dates.append(d)
        prev[0] = secs

    def date_for(self, key: str | None, lineno: int) -> date | None:
        st = self.state.get(key)
        if st is None:
            return self.base
        linenos, dates, _ = st
        i = bisect.bisect_right(linenos, lineno) - 1
        return dates[max(i, 0)]


def _secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


# --------------------------------------------------------------------------------------------
# envelopes

_ANSI = LazyPattern(re.compile, r"(?:\x1b\[|\u2190\[)[0-9;?]{0,32}[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
_ANSI_LEAD = LazyPattern(re.compile, r"(?:(?:\x1b\[|\u2190\[)[0-9;?]{0,32}[A-Za-z])+")
_KTS = LazyPattern(re.compile, r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d))(?:[ \t]|$)")
_LEAD_KTS9 = LazyPattern(
    re.compile,
    r"(?:\[pod/[^\]\s]{1,600}\] )?(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d)) ")
_EMBEDDED_KTS = LazyPattern(re.compile, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d) ")
_CI_TS = LazyPattern(re.compile, r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)\][ \t]")
_PREFIX = LazyPattern(re.compile, r"\[pod/([^/\]\s]{1,253})/([^/\]\s]{1,253})\] ?")
_COMPOSE = LazyPattern(re.compile, r"((?P<svc>[A-Za-z0-9][\w.-]{0,127}?)[-_]\d{1,5}) +\|(?: |$)")
_POD_NAME = LazyPattern(re.compile, r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?")
_LABEL = LazyPattern(re.compile, r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")
_DIGITS = frozenset("0123456789")


_CUT_KEEP = 24
"""The longest candidate keyword's length less one (``catalogue.CANDIDATE_KEYWORDS``; a test
holds them equal): what a keyword cut between a partial line and the next can leave on each side."""


def _cri_stream(text: str, j: int) -> bool | None:
    """After a kubelet timestamp ending at ``j``: True for a CRI log file's partial line
    (``stdout P <text>``), False for a whole one (``F``), None when it is no CRI line."""
    if text[j:j + 7] in ("stdout ", "stderr ") and text[j + 7:j + 8] in ("F", "P") and text[j + 8:j + 9] in (" ", ""):
        return text[j + 7] == "P"
    return None


def _cri_line(text: str) -> tuple[bool, int] | None:
    """``(partial, where its text starts)`` of a CRI log file's line, None for other lines."""
    m = _KTS.match(text) if text[10:11] == "T" else None
    if m is None:
        return None
    partial = _cri_stream(text, m.end())
    return None if partial is None else (partial, m.end() + 9)


def _cri_partial(text: str) -> bool:
    cri = _cri_line(text)
    return cri is not None and cri[0]


def strip_embedded_timestamps(text: str) -> str:
    """Remove the kubelet timestamps inside a ``--timestamps`` line.

    A line that the container runtime stored in several chunks (containerd splits at 16 KiB,
    CRI-O at its 8 KiB pipe reads, wherever they fall) is printed with each chunk's own
    timestamp, glued into the text. Such a stamp is removed when the line began with one and
    it is within a few minutes of it."""
    base = 0
    if text[:5] == "[pod/":
        base = text.find("] ", 5, 600) + 2
        if base < 2:
            return text
    if text[base + 10:base + 11] != "T":
        return text
    # a second "2024-05-01T" (same day) in the line: cheap test before any regex
    if text.find(text[base:base + 11], base + 11) < 0:
        return text
    m = _LEAD_KTS9.match(text)
    if m is None:
        return text
    end = m.end()
    lead = m.group("ts")
    rest = text[end:]
    if _EMBEDDED_KTS.search(rest) is None:
        return text
    t0 = _iso(lead)

    def drop(e: re.Match[str]) -> str:
        t = _iso(e.group(0).rstrip())
        if t is None or t0 is None or abs((t - t0).total_seconds()) > _EMBEDDED_WINDOW:
            return e.group(0)
        return ""

    return text[:end] + _EMBEDDED_KTS.sub(drop, rest)


def _jget(obj: Mapping[str, Any], key: str) -> Any:
    v = obj.get(key)
    if v is not None or "." not in key:
        return v
    cur: Any = obj
    for part in key.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
        if cur is None:
            return None
    return cur


def _jfields(obj: Mapping[str, Any], fields: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, keys in fields.items():
        for key in keys:
            v = _jget(obj, key)
            if v is None or v == "":
                continue
            if name == "time":
                if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    out[name] = v
                    break
                continue
            if name == "stack" and isinstance(v, dict):
                parts = [str(v.get(k)) for k in ("exceptionType", "type", "message") if v.get(k)]
                if parts:
                    out[name] = ": ".join(parts)
                    break
                continue
            if isinstance(v, str):
                out[name] = v
                break
            if isinstance(v, (int, float)) and not isinstance(v, bool) and name != "body":
                out[name] = str(v)
                break
    return out


# --------------------------------------------------------------------------------------------
# lines and records being built


class _Line:
    """One physical line after envelopes and layout."""

    __slots__ = ("lineno", "raw", "body", "pod", "container", "etime", "partial", "key", "layout",
                 "fields", "host", "jenv", "weak", "ldt", "tod", "tod_text")

    def __init__(self, lineno: int, raw: str) -> None:
        self.lineno = lineno
        self.raw = raw
        self.body = raw
        self.pod: str | None = None
        self.container: str | None = None
        self.etime: datetime | None = None
        self.partial = False
        self.key: str | None = None
        self.layout: Layout | None = None
        self.fields: dict[str, Any] | None = None
        self.host: str | None = None
        self.jenv: dict[str, Any] | None = None
        self.weak = False
        """Only the generic JSON wrapper parsed it (text without a layout inside)."""
        self.ldt: datetime | None = None
        self.tod: time | None = None
        self.tod_text: str | None = None


class _Open:
    """A record being joined."""

    __slots__ = ("first", "parts", "size", "nlines", "free", "last", "join_raw", "await_next", "level")

    def __init__(self, first: _Line) -> None:
        self.first = first
        f = first.fields
        body = f.get("body", "") if f is not None else first.body
        if f is not None and f.get("stack"):
            body = f"{body}\n{f['stack']}"
        if len(body) > _MAX_RECORD_BYTES:
            body = body[:_MAX_RECORD_BYTES]
        self.parts = [body]
        self.size = len(body)
        self.nlines = 1
        self.free = 0
        self.last = first.lineno
        self.join_raw = first.partial
        lay = first.layout
        self.await_next = lay is not None and lay.next_pattern is not None
        self.level: str | None = None

    @property
    def full(self) -> bool:
        return self.nlines >= _MAX_RECORD_LINES or self.size >= _MAX_RECORD_BYTES


_RECORD_FIELDS = ("source", "lineno", "message", "pod", "container", "time", "time_of_day", "level", "logger",
                  "thread", "layout", "raw")
"""The order in which :meth:`_Reader._finish` passes a record's fields (checked at import)."""
if struct_fields(Record)[:len(_RECORD_FIELDS)] != _RECORD_FIELDS:  # pragma: no cover
    raise RuntimeError("records: Record's fields changed order: update _RECORD_FIELDS and _finish")


def _short(text: Any) -> Any:
    """One string object for each short string that repeats (levels, loggers)."""
    return sys.intern(text) if type(text) is str and len(text) < 256 else text


def _starts(ln: _Line) -> bool:
    """The line begins a record: a layout parsed it (not merely a JSON wrapper around text)."""
    return ln.layout is not None and not ln.weak


def _whole(ln: _Line) -> bool:
    """A JSON record: complete in its line."""
    return ln.layout is not None and ln.layout.kind == "json" and not ln.weak and not ln.partial


def _indented(body: str) -> bool:
    return body[:1] in (" ", "\t") or body.startswith(_CONTINUATION_PREFIXES)


# --------------------------------------------------------------------------------------------
# the reader


class _Reader:
    def __init__(self, info: SourceInfo, candidate: Callable[[str], bool], opts: ReadOptions,
                 pod_hint: str | None, container_hint: str | None = None,
                 layouts: tuple[Layout, ...] | None = None) -> None:
        self.info = info
        self.candidate = candidate
        self.sample_key: Callable[[str], str | None] | None = None
        self.sampled: dict[str, int] = {}
        self.opts = opts
        self.tz = opts.tz or UTC
        self.pod_hint = pod_hint
        self.container_hint = container_hint
        lays = layouts if layouts is not None else load_layouts()
        self.regex_layouts = [lay for lay in lays if lay.kind == "regex"]
        self.json_layouts = [lay for lay in lays if lay.kind == "json"]
        self.json_envelope = next((lay for lay in self.json_layouts if lay.envelope), None)
        self.last: Layout | None = None
        self.days = _Days(opts.date)
        self.tod_mode = False
        self.saw_undated = False
        self.opens: dict[str | None, _Open] = {}
        self.held: list[Record] = []
        self.released_upto = 0
        """First line of the last record yielded: a look-back stops there (records stay in order)."""
        self.done_upto: dict[str | None, int] = {}
        self.ring: deque[tuple[int, str]] = deque(maxlen=_RING_LINES)
        """The last lines read (for look-back and the last time); long ones cut to _RING_LINE."""
        self.counts: Counter[str] = Counter()
        self.pods_seen: set[str] = set(info.pods)
        self.stern_ok: set[tuple[str, str]] = set()
        self.stern_seen: Counter[tuple[str, str]] = Counter()
        self.stern_shaped = 0
        """Lines whose first words looked like stern's ``POD CONTAINER``."""
        self.peeled = 0
        self.thread_cand: dict[str, bool] = {}
        """``candidate(thread)`` of the threads seen (few per log; bounded)."""
        self.keyed = False
        """A line carried a pod envelope (``--prefix``, stern, compose): several pods' lines."""
        self.facts: dict[str, Any] | None = None
        self.resume = False
        """The lines go on from a part of the source read apart (a later span of a file): no
        head to search for the first time."""

    # ---- envelopes ------------------------------------------------------------------------

    def _peel(self, ln: _Line) -> None:
        self.peeled += 1
        text = ln.body
        if "\x1b" in text or "\u2190[" in text:
            text = _ANSI.sub("", text)
        for _ in range(_MAX_ENVELOPES):
            c = text[:1]
            if c == "[":
                if text.startswith("[pod/"):
                    m = _PREFIX.match(text)
                    if m is not None:
                        if ln.pod is None:
                            ln.pod, ln.container = m.group(1), m.group(2)
                        if ln.key is None:
                            ln.key = m.group(1)
                        text = text[m.end():]
                        continue
                m = _CI_TS.match(text)
                if m is not None:
                    t = _iso(m.group(1))
                    if t is not None:
                        if ln.etime is None:
                            ln.etime = _to_utc(t, self.tz)
                        text = text[m.end():]
                        continue
            elif c in _DIGITS:
                # (a kubelet timestamp has its "T" at [10]: the log's own "2024-05-01 10:00" has not)
                m = _KTS.match(text) if text[10:11] == "T" else None
                if m is not None:
                    t = _iso(m.group(1))
                    if t is not None:
                        if ln.etime is None:
                            ln.etime = _to_utc(t, self.tz)
                        text = text[m.end():]
                        # CRI log file: <ts> stdout|stderr F|P <text>
                        partial = _cri_stream(text, 0)
                        if partial is not None:
                            ln.partial = partial
                            text = text[9:]
                        continue
            elif c == "{":
                inner = self._json(text, ln)
                if inner is None:
                    break
                text = inner
                continue
            if not c:
                break
            if text.find("|", 0, 160) >= 0:
                m = _COMPOSE.match(text)
                if m is not None:
                    if "compose" not in self.info.envelopes:
                        self.info.envelopes.append("compose")
                    if ln.pod is None:
                        ln.pod, ln.container = m.group(1), m.group("svc")
                    if ln.key is None:
                        ln.key = m.group(1)
                    text = text[m.end():]
                    continue
            if "a" <= c <= "z" or c in _DIGITS:
                inner = self._stern(text, ln)
                if inner is not None:
                    text = inner
                    continue
            break
        ln.body = text

    def _json(self, text: str, ln: _Line) -> str | None:
        """A JSON layout (sets ``ln.layout``; returns None) or a JSON envelope (returns the
        message to parse again)."""
        s = text.rstrip()
        if not s.endswith("}"):
            return None
        try:
            obj = json.loads(s)
        except (ValueError, RecursionError):
            return None
        if not isinstance(obj, dict):
            return None
        for lay in self.json_layouts:
            if lay.require and not any(_jget(obj, k) is not None for k in lay.require):
                continue
            f = _jfields(obj, lay.fields)
            body = f.get("body")
            if body is None:
                continue
            if lay.envelope and not f.get("level") and not f.get("logger"):
                # a wrapper around a line: docker json-file, stern -o json, fluent-bit, Loki …
                if ln.etime is None and "time" in f:
                    ln.etime = parse_timestamp(f["time"], self.tz)
                if ln.pod is None and f.get("pod"):
                    ln.pod = f["pod"]
                    ln.container = f.get("container")
                log = obj.get("log")
                if isinstance(log, str) and "stream" in obj and not log.endswith("\n") \
                        and len(log) >= 4000 and set(obj) <= {"log", "stream", "time", "attrs"}:
                    ln.partial = True  # docker splits lines at 16 KiB
                f.pop("time", None)
                ln.jenv = f
                return str(body).rstrip("\r\n")
            ln.layout = lay
            ln.fields = f
            if f.get("pod"):
                ln.host = f["pod"]
            return None
        return None

    def _stern(self, text: str, ln: _Line) -> str | None:
        """stern's ``[NAMESPACE] POD CONTAINER message``: only for (pod, container) pairs
        confirmed by a recognizable rest of line, or seen repeatedly."""
        # cheap tests first: a log header ("2024-05-01 10:00:00,123 INFO") fails at its second word
        i = text.find(" ")
        j = text.find(" ", i + 1) if i >= 0 else -1
        if j < 0:
            return None  # fewer than three words
        b = text[i + 1:j]
        if "-" not in b and (text.find("-", 0, i) < 0 or ":" in b or _LABEL.fullmatch(b) is None):
            return None  # neither POD CONTAINER nor NAMESPACE POD CONTAINER (a label has no ":")
        parts = text.split(" ", 3)
        a, b, c = parts[0], parts[1], parts[2]
        options: list[tuple[str, str, int]] = []
        if "-" in a and _LABEL.fullmatch(b) and _POD_NAME.fullmatch(a):
            options.append((a, b, len(a) + len(b) + 2))
        if len(parts) == 4 and "-" in b and _LABEL.fullmatch(a) and _LABEL.fullmatch(c) \
                and _POD_NAME.fullmatch(b):
            options.append((b, c, len(a) + len(b) + len(c) + 3))
        if not options:
            return None
        self.stern_shaped += 1
        chosen = None
        for opt in options:
            if (opt[0], opt[1]) in self.stern_ok:
                chosen = opt
                break
        if chosen is None:
            for opt in options:
                rest = text[opt[2]:]
                if self._recognizable(rest):
                    chosen = opt
                    break
            if chosen is None:
                # raw application lines behind stern: the same pair again and again, and nearly
                # every line shaped like it (a normal log's "keycloak-0 joined …" is not)
                opt = options[0]
                pair = (opt[0], opt[1])
                if len(self.stern_seen) > 4096:
                    self.stern_seen.clear()
                self.stern_seen[pair] += 1
                if self.stern_seen[pair] < 3 or self.stern_shaped < 0.8 * self.peeled:
                    return None
                chosen = opt
            self.stern_ok.add((chosen[0], chosen[1]))
        if ln.pod is None:
            ln.pod, ln.container = chosen[0], chosen[1]
        if ln.key is None:
            ln.key = chosen[0]
        return text[chosen[2]:]

    def _recognizable(self, rest: str) -> bool:
        if rest[:2] == '{"' or _KTS.match(rest) is not None:
            return True
        return self._match(rest.split("\n", 1)[0], remember=False)[0] is not None

    # ---- layouts --------------------------------------------------------------------------

    def _match(self, body: str, remember: bool = True) -> tuple[Layout | None, dict[str, str] | None]:
        if not body:
            return None, None
        last = self.last
        if last is not None:
            f = last.match(body)
            if f is not None:
                return last, f
        for lay in self.regex_layouts:
            if lay is last:
                continue
            f = lay.match(body)
            if f is not None:
                if remember and not lay.fallback:
                    self.last = lay
                return lay, f
        return None, None

    def _parse(self, lineno: int, text: str,
               preset: tuple[str | None, str | None, datetime | None] | None = None) -> _Line:
        ln = _Line(lineno, text)
        if preset is not None:
            ln.pod, ln.container, ln.etime = preset
        self._peel(ln)
        if ln.layout is None:
            body = ln.body
            head, nl, tail = body.partition("\n")
            lay, f = self._match(head)
            if lay is None and ln.jenv is not None and self.json_envelope is not None:
                lay, f = self.json_envelope, dict(ln.jenv, body=head)
                ln.weak = True
            if lay is not None and f is not None:
                if nl:
                    f["body"] = f.get("body", "") + "\n" + tail
                ln.layout, ln.fields = lay, f
        if ln.fields is not None:
            self._times(ln)
        return ln

    def _times(self, ln: _Line) -> None:
        f = ln.fields
        lay = ln.layout
        assert f is not None and lay is not None
        if lay.kind == "json":
            v = f.get("time")
            if v is not None:
                ln.ldt = parse_timestamp(v, self.tz)
            return
        t = f.get("time")
        if not t:
            return
        d = f.get("date")
        s = f"{d} {t}" if d else t
        for fmt in lay.time_formats:
            fixed = _fixed_format(fmt)
            if fixed is not None:
                # (a date and time is made in the reader's zone at once: what _to_utc would do with
                # the naive one, without a datetime.replace per line)
                got = _fixed_time(s, fixed, self.tz)
                if got is None:
                    continue
                if got is not False:
                    if isinstance(got, datetime):
                        ln.ldt = got
                    else:
                        ln.tod = got  # type: ignore[assignment]
                        ln.tod_text = t
                    return
            r = strptime_lite(s, fmt)
            if r is None:
                continue
            dd, tt, tz = r
            if dd is not None:
                ln.ldt = datetime.combine(dd, tt, tzinfo=tz)
            else:
                ln.tod = tt
                ln.tod_text = t
            return

    def _line_time(self, ln: _Line) -> datetime | None:
        if ln.etime is not None:
            return ln.etime
        if ln.ldt is not None:
            return _to_utc(ln.ldt, self.tz)
        if ln.tod is not None:
            d = self.days.date_for(ln.key, ln.lineno)
            if d is not None:
                return _to_utc(datetime.combine(d, ln.tod), self.tz)
        return None

    def _seen_time(self, t: datetime | None) -> None:
        if t is None:
            return
        info = self.info
        if info.first_time is None or t < info.first_time:
            info.first_time = t
        if info.last_time is None or t > info.last_time:
            info.last_time = t

    def _add_pod(self, pod: str | None) -> None:
        if pod and pod not in self.pods_seen:
            self.pods_seen.add(pod)
            self.info.pods.append(pod)

    def _observe(self, ln: _Line) -> None:
        """Learn from a line read in order (not from look-back re-reads)."""
        if ln.pod is not None:
            self._add_pod(ln.pod)
        if ln.key is not None:
            self.keyed = True
        if ln.host is not None:
            self._add_pod(ln.host)
        if ln.layout is not None:
            self.counts[ln.layout.name] += 1
        if ln.etime is None:
            ldt = ln.ldt
            if ldt is not None:
                self.days.dated(ln.key, ln.lineno, ldt.date(), ldt.hour * 3600 + ldt.minute * 60 + ldt.second)
            elif ln.tod is not None:
                self.days.tod(ln.key, ln.lineno, _secs(ln.tod))
                self.tod_mode = True
        if self.info.first_time is None:
            t = self._line_time(ln)
            if t is None and ln.tod is not None:
                self.saw_undated = True
            self._seen_time(t)

    def _quick(self, lineno: int, text: str) -> None:
        """Feed the day tracker from a line not otherwise parsed (time-only sources)."""
        key = None
        if text[:5] == "[pod/":
            j = text.find("] ", 5)
            if j < 0:
                return
            k = text.find("/", 5, j)
            key = text[5:k] if k > 5 else None
            text = text[j + 2:]
        if text[:1] in ("\x1b", "\u2190"):
            m = _ANSI_LEAD.match(text)
            if m is not None:
                text = text[m.end():]
        if text[2:3] == ":" and text[5:6] == ":":
            try:
                secs = int(text[0:2]) * 3600 + int(text[3:5]) * 60 + int(text[6:8])
            except ValueError:
                return
            self.days.tod(key, lineno, secs)
        elif text[4:5] == "-" and text[7:8] == "-" and text[13:14] == ":" and text[16:17] == ":":
            try:
                d = date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
                secs = int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
            except ValueError:
                return
            self.days.dated(key, lineno, d, secs)

    # ---- records --------------------------------------------------------------------------

    def _continues(self, op: _Open, ln: _Line) -> bool:
        if op.join_raw:
            return True
        if _starts(ln):
            return False
        body = ln.body
        first = op.first
        if _whole(first):
            return False
        known = _starts(first)
        if not body:
            return known
        if _indented(body):
            return True
        if not known:
            return False
        return op.free < _MAX_FREE_LINES

    def _append(self, op: _Open, ln: _Line) -> None:
        body = ln.body
        op.nlines += 1
        op.last = ln.lineno
        if op.await_next:
            op.await_next = False
            nxt = op.first.layout.next_pattern if op.first.layout else None
            m = nxt.match(body) if nxt is not None else None
            if m is not None:
                op.level = m.group("level")
                op.parts = [m.group("body")]
                op.size = len(op.parts[0])
                op.join_raw = ln.partial
                return
            if not op.parts[0]:
                op.parts[0] = op.first.body
        room = _MAX_RECORD_BYTES - op.size
        if len(body) + 1 > room:
            body = body[: max(0, room - 1)]
        if op.join_raw:
            op.parts[-1] += body
            op.size += len(body)
        else:
            op.parts.append(body)
            op.size += len(body) + 1
            if body and not _indented(body):
                op.free += 1
        op.join_raw = ln.partial

    def _finish(self, op: _Open) -> Record:
        ln = op.first
        f = ln.fields or {}
        t = self._line_time(ln)
        if t is None and ln.tod is not None:
            self.saw_undated = True
        self._seen_time(t)
        level = op.level or f.get("level")
        lay = ln.layout
        name = lay.name if lay is not None else "unknown"
        if lay is None:
            self.counts["unknown"] += 1
        self.info.records += 1
        key = ln.pod
        if self.done_upto.get(key, 0) < op.last:
            self.done_upto[key] = op.last
        if op.await_next and not op.parts[0]:
            op.parts[0] = ln.body  # a two-line layout's header alone
        message = "\n".join(op.parts)
        thread = f.get("thread")
        if thread and lay is not None and lay.kind == "regex" and self._thread_candidate(thread) \
                and not self.candidate(message):
            # a message that begins with "(…)" where the layout may have a thread or not
            # (Keycloak vs Infinispan 15): keep the text in the message too
            op.parts[0] = f"({thread}) {op.parts[0]}"
            message = "\n".join(op.parts)
        # (arguments by position, in the order of _RECORD_FIELDS: a third of the cost by keyword)
        return Record(
            self.info.name,
            ln.lineno,
            message,
            ln.pod or ln.host or self.pod_hint or self.opts.pod,
            ln.container or self.container_hint,
            t,
            ln.tod_text,
            # (levels and loggers repeat: one string each, in memory and in what workers send)
            _short(level.upper()) if isinstance(level, str) else None,
            _short(f.get("logger")),
            thread,
            name,
            (_ANSI.sub("", ln.raw) if "\x1b" in ln.raw else ln.raw)[:_RAW_MAX],
        )

    def _thread_candidate(self, thread: str) -> bool:
        known = self.thread_cand.get(thread)
        if known is None:
            known = bool(self.candidate(thread))
            if len(thread) <= 200:
                if len(self.thread_cand) >= 1024:
                    self.thread_cand.clear()
                self.thread_cand[thread] = known
        return known

    def _close(self, key: str | None) -> Record:
        return self._finish(self.opens.pop(key))

    def _lookback(self, ln: _Line) -> list[_Line] | None:
        """The lines of the record a candidate continuation line belongs to, oldest first (a line
        after a CRI partial line is a piece of that line: no start, no free line)."""
        key = ln.pod
        barrier = max(self.done_upto.get(key, 0), self.released_upto)
        chain_: list[_Line] = []
        free = 0
        ring = self.ring
        size = 0
        for i in range(len(ring) - 1, -1, -1):
            lineno, text = ring[i]
            if lineno <= barrier or len(chain_) >= _MAX_RECORD_LINES:
                return None
            p = self._parse(lineno, text)
            if p.pod != key:
                continue
            size += len(text) + 1
            if size > _MAX_RECORD_BYTES:  # (as far as the fast reader looks back)
                return None
            if i > 0 and ring[i - 1][0] == lineno - 1 and _cri_partial(ring[i - 1][1]):
                chain_.append(p)
                continue
            if _starts(p):
                if _whole(p):
                    return None
                chain_.append(p)
                chain_.reverse()
                return chain_
            if p.body and not _indented(p.body):
                free += 1
                if free > _LOOKBACK_FREE:
                    return None
            chain_.append(p)
        return None

    def _slow(self, lineno: int, text: str, cand: bool,
              preset: tuple[str | None, str | None, datetime | None] | None = None,
              joined: bool = False) -> list[Record]:
        out: list[Record] = []
        ln = self._parse(lineno, text, preset)
        self._observe(ln)
        key = ln.pod
        opens = self.opens
        op = opens.get(key)
        if op is not None:
            if self._continues(op, ln):
                self._append(op, ln)
                if op.full:
                    out.append(self._close(key))
                self._idle(lineno, key, out)
                return out
            out.append(self._close(key))
        if cand:
            op = None
            if not _starts(ln) or joined:  # (joined: it continues the partial line before it)
                prior = self._lookback(ln)
                if prior:
                    op = _Open(prior[0])
                    for p in prior[1:]:
                        self._append(op, p)
                    if self._continues(op, ln) or op.await_next:
                        self._append(op, ln)
                    else:
                        op = None
            if op is None:
                op = _Open(ln)
            if (_whole(op.first) and not op.join_raw) or op.full:
                out.append(self._finish(op))
            else:
                opens[key] = op
        if opens:
            self._idle(lineno, key, out)
        return out

    def _idle(self, lineno: int, key: str | None, out: list[Record]) -> None:
        if len(self.opens) <= (1 if key in self.opens else 0):
            return
        for k in [k for k, op in self.opens.items() if k != key and lineno - op.last > _IDLE_LINES]:
            out.append(self._close(k))

    def _flush(self) -> list[Record]:
        done = [self._close(k) for k in list(self.opens)]
        done.extend(self.held)
        self.held = []
        done.sort(key=lambda r: r.lineno)
        return done

    def _release(self, done: list[Record]) -> list[Record]:
        """Records in line order: hold a finished record while one that began before it is open
        (pods of a ``--prefix`` stream interleave)."""
        held = self.held
        if done:
            held.extend(done)
        if not held:
            return held
        opens = self.opens
        if opens:
            if len(opens) == 1:
                first_open = next(iter(opens.values())).first.lineno
            else:
                first_open = min(op.first.lineno for op in opens.values())
            if len(held) == 1:  # the usual case: one record, done before the open one began
                if held[0].lineno >= first_open:
                    return []
                ready = held
                self.held = []
            else:
                ready = [r for r in held if r.lineno < first_open]
                if not ready:
                    return ready
                self.held = [r for r in held if r.lineno >= first_open]
        else:
            ready = held
            self.held = []
        if len(ready) > 1:
            ready.sort(key=lambda r: r.lineno)
        self.released_upto = ready[-1].lineno
        return ready

    # ---- main loops -----------------------------------------------------------------------

    def run(self, lines: Iterable[tuple[int, str]]) -> Iterator[Record]:
        it = iter(lines)
        first = next(it, None)
        if first is None:
            self._end()
            return
        spec = _sniff_table(first[1])
        if spec is not None:
            yield from self._run_table(spec, first[0], it)
        else:
            yield from self._run_lines(chain([first], it))
        yield from self._flush()
        self._end()

    def _run_lines(self, lines: Iterable[tuple[int, str]]) -> Iterator[Record]:
        candidate = self.candidate
        ring = self.ring
        opens = self.opens
        info = self.info
        seen = self.pods_seen
        scanning = not self.resume
        sample_key = self.sample_key
        sampled = self.sampled
        last_head = ""
        prev = -1
        ptail: str | None = None  # the last characters of a CRI partial line run's text
        for lineno, text in lines:
            if lineno > prev + 1 and prev >= 0:
                # a gap in the line numbers (the fast scanner's windows): nothing before it joins
                # with what follows, and no look-back crosses it
                if opens:
                    out = self._release([self._close(k) for k in list(opens)])
                    if out:
                        yield from out
                ring.clear()
                last_head = ""
                ptail = None
            prev = lineno
            if text[:5] == "[pod/":  # kubectl --prefix: note the pod, look past the prefix
                j = text.find("] ", 5, 600)
                if j > 0:
                    k = text.find("/", 5, j)
                    if k > 5:
                        self.keyed = True
                        pod = text[5:k]
                        if pod not in seen:
                            self._add_pod(pod)
                    j += 2
                    if text[j + 10:j + 11] == "T" and text.find(text[j:j + 11], j + 11) >= 0:
                        text = strip_embedded_timestamps(text)
            elif text[10:11] == "T" and text.find(text[:11], 11) >= 0:
                text = strip_embedded_timestamps(text)  # a second stamp of the same day inside
            cand = candidate(text)
            joined = False
            cri = _cri_line(text)
            if ptail is not None:  # a keyword cut between the partial line before and this one
                body = text[cri[1]:] if cri is not None else text
                if not cand and candidate(ptail + body[:_CUT_KEEP]):
                    cand = joined = True
            if cri is not None and cri[0]:
                ptail = ((ptail or "") + text[cri[1]:][-_CUT_KEEP:])[-_CUT_KEEP:]
            else:
                ptail = None
            if cand and sample_key is not None:
                # (a line past its key's few is still read as a line, not a candidate: it closes
                # or joins an open record as any other line would)
                key = sample_key(text)
                if key is not None:
                    n = sampled.get(key, 0)
                    if n >= SAMPLE_PER_KEY:
                        cand = False
                        info.sampled_lines += 1
                    else:
                        if len(sampled) > 8192:  # bounded: old minutes rarely come back
                            sampled.clear()
                        sampled[key] = n + 1
            if cand or opens or scanning:
                out = self._release(self._slow(lineno, text, cand, joined=joined))
                if out:
                    yield from out
                if scanning:
                    scanning = info.first_time is None and lineno < _SCAN_LINES
                last_head = ""
            else:
                if self.tod_mode:
                    # a rollover needs the hour to change: skip lines of the same hour
                    head = text[:3]
                    if head != last_head or head[2:] != ":":
                        self._quick(lineno, text)
                        last_head = head
            ring.append((lineno, text) if len(text) <= _RING_LINE else (lineno, text[:_RING_LINE]))

    def _run_table(self, spec: _TableSpec, header_lineno: int,
                   lines: Iterator[tuple[int, str]]) -> Iterator[Record]:
        """CSV/TSV export: one record per row, the message column parsed like a line.

        A quoted cell may span physical lines; a row whose quotes do not close within
        ``_MAX_RECORD_LINES`` lines is taken line by line as plain text (never lost)."""
        import csv  # (only tables need it: start-up time)

        if csv.field_size_limit() < _MAX_RECORD_BYTES * 4:
            csv.field_size_limit(_MAX_RECORD_BYTES * 4)
        delim = spec.delimiter
        buf: list[str] = []
        quotes = 0
        start = header_lineno + 1
        for lineno, text in lines:
            if not buf:
                start = lineno
            buf.append(text)
            quotes += text.count('"')
            if quotes % 2:
                if len(buf) < _MAX_RECORD_LINES:
                    continue
                for i, t in enumerate(buf):  # unbalanced quotes: give up on the row
                    yield from self._table_row(spec, start + i, None, t)
                buf = []
                quotes = 0
                continue
            joined = "\n".join(buf) if len(buf) > 1 else text
            buf = []
            quotes = 0
            if not joined:
                continue
            try:
                row = next(csv.reader([joined], delimiter=delim), None)
            except csv.Error:
                row = None
            yield from self._table_row(spec, start, row, joined)
        for i, t in enumerate(buf):
            yield from self._table_row(spec, start + i, None, t)

    def _table_row(self, spec: _TableSpec, lineno: int, row: list[str] | None,
                   text: str) -> Iterator[Record]:
        pod = cont = etime = None
        if row:
            n = len(row)
            msg = row[spec.message] if spec.message < n else spec.delimiter.join(row)
            if spec.time is not None and spec.time < n:
                etime = parse_timestamp(row[spec.time], self.tz)
            if spec.pod is not None and spec.pod < n:
                pod = row[spec.pod].strip() or None
            if spec.container is not None and spec.container < n:
                cont = row[spec.container].strip() or None
        else:
            msg = text
        self._seen_time(etime)
        self._add_pod(pod)
        if not self.candidate(msg):
            return
        ln = self._parse(lineno, msg, (pod, cont, etime))
        self._observe(ln)
        yield self._finish(_Open(ln))

    def _end(self) -> None:
        info = self.info
        # last time: the last lines that carry one
        n = 0
        for lineno, text in reversed(self.ring):
            n += 1
            if n > _LAST_LINES:
                break
            t = self._line_time(self._parse(lineno, text))
            if t is not None:
                self._seen_time(t)
                break
        if self.counts:
            info.layout = layout_of(self.counts)
        if self.saw_undated:
            info.time_only = True
        if self.facts is not None:
            self.facts.update(time_of_day=self.tod_mode, keyed=self.keyed, layouts=dict(self.counts))


def layout_of(counts: Mapping[str, int]) -> str | None:
    """The layout of a source from the lines parsed per layout: the most frequent known one."""
    known = Counter({k: v for k, v in counts.items() if k != "unknown" and v > 0})
    best = (known or Counter(counts)).most_common(1)
    return best[0][0] if best else None


# --------------------------------------------------------------------------------------------
# CSV / TSV exports

_MSG_COLUMNS = ("message", "msg", "log", "line", "_raw", "textpayload", "@message", "content",
                "body", "text", "log.message")
_TIME_COLUMNS = ("@timestamp", "timestamp", "time", "_time", "ts", "date", "datetime", "@t",
                 "time_local", "timegenerated", "receivedat")
_POD_COLUMNS = ("pod", "pod_name", "podname", "kubernetes.pod_name", "kubernetes.pod.name",
                "k8s.pod.name", "kubernetes_pod_name", "resource.labels.pod_name", "labels.pod",
                "host", "hostname", "host.name", "host.hostname", "hostName")
_CONTAINER_COLUMNS = ("container", "container_name", "kubernetes.container_name",
                      "kubernetes.container.name", "k8s.container.name",
                      "resource.labels.container_name", "labels.container")


class _TableSpec(Struct, frozen=True):
    delimiter: str
    message: int
    time: int | None
    pod: int | None
    container: int | None


def _norm_col(name: str) -> str:
    n = name.strip().strip('"').strip().lower()
    for prefix in ("_source.", "fields.", "attributes."):
        if n.startswith(prefix):
            n = n[len(prefix):]
    return n


def _find_column(cols: list[str], names: tuple[str, ...]) -> int | None:
    for nm in names:
        nm = nm.lower()
        if nm in cols:
            return cols.index(nm)
    return None


def _sniff_table(first: str) -> _TableSpec | None:
    """A header row naming a message column (log-UI exports)."""
    if len(first) > 4096:
        return None
    low = first.lower()
    if not any(name in low for name in _MSG_COLUMNS):  # (no csv import for the usual first line)
        return None
    import csv

    for delim in ("\t", ",", ";"):
        if delim not in first:
            continue
        try:
            header = next(csv.reader([first], delimiter=delim))
        except (csv.Error, StopIteration):
            continue
        if len(header) < 2 or any(len(h) > 100 for h in header):
            continue
        cols = [_norm_col(h) for h in header]
        msg = _find_column(cols, _MSG_COLUMNS)
        if msg is None:
            continue
        return _TableSpec(delim, msg, _find_column(cols, _TIME_COLUMNS), _find_column(cols, _POD_COLUMNS),
                          _find_column(cols, _CONTAINER_COLUMNS))
    return None


# --------------------------------------------------------------------------------------------
# public entry points


SAMPLE_PER_KEY = 10
"""Lines of one sampling key (see :func:`iter_records`) that become records; the rest are counted."""


def iter_records(
    lines: Iterable[tuple[int, str]],
    info: SourceInfo,
    candidate: Callable[[str], bool],
    opts: ReadOptions,
    *,
    pod_hint: str | None = None,
    container_hint: str | None = None,
    sample_key: Callable[[str], str | None] | None = None,
    facts: dict[str, Any] | None = None,
    resume: bool = False,
) -> Iterator[Record]:
    """Records of one source whose first line (or a joined continuation line) is a candidate.

    ``sample_key`` (optional) names candidate lines that may be sampled — a key such as the
    line's text up to its minute — and at most :data:`SAMPLE_PER_KEY` lines of one key become
    records; the others are counted in ``info.sampled_lines`` and skipped like any other line
    (Keycloak's event lines can be a large share of a log; a few per minute date a burst).

    Also sets ``info.first_time``/``last_time`` (earliest and latest time read, including
    non-candidate lines at the start and end), ``info.layout`` (most frequent layout),
    ``info.records`` (records yielded), ``info.pods`` (pods named by envelopes or JSON host
    fields) and ``info.time_only``. A record's pod is the envelope's (``--prefix``, stern,
    compose, CSV column), else the JSON host name, else ``pod_hint``, else ``opts.pod``.

    ``facts`` (optional) gets, once the lines are read: ``time_of_day`` (lines without a date were
    dated by the lines before them), ``keyed`` (lines carried pod envelopes) and ``layouts`` (lines
    parsed per layout) — what tells whether a span of a file was read as the whole file would be.
    ``resume``: the lines are a later span of a file (its start is not searched for a first time;
    they are read as lines in the middle of the file are).
    """
    reader = _Reader(info, candidate, opts, pod_hint, container_hint)
    reader.sample_key = sample_key
    reader.facts = facts
    reader.resume = resume
    return reader.run(lines)


class LineParser:
    """Parse lines one at a time (the live follower): envelopes, layout and time, no joining.

    State (stern pairs, the date of time-only lines, rollovers) carries from line to line.
    """

    def __init__(self, opts: ReadOptions | None = None, *, source: str = "<line>",
                 pod_hint: str | None = None, container_hint: str | None = None) -> None:
        self._reader = _Reader(SourceInfo(name=source), lambda s: True, opts or ReadOptions(),
                               pod_hint, container_hint)
        self._lineno = 0

    @property
    def info(self) -> SourceInfo:
        return self._reader.info

    def parse(self, text: str, lineno: int | None = None) -> Record:
        if lineno is None:
            lineno = self._lineno + 1
        self._lineno = lineno
        r = self._reader
        ln = r._parse(lineno, strip_embedded_timestamps(text))
        r._observe(ln)
        op = _Open(ln)
        op.await_next = False
        return r._finish(op)


def parse_line(text: str, *, source: str = "<line>", lineno: int = 1, opts: ReadOptions | None = None,
               pod_hint: str | None = None) -> Record:
    """Parse one physical line into a Record (always; layout ``unknown`` when none fits)."""
    return LineParser(opts, source=source, pod_hint=pod_hint).parse(text, lineno)
