"""The events stage: membership events recognized anywhere in a record's message.

Wordings live in :mod:`jgview.catalogue`; this module turns a match into an :class:`Event` by the
catalogue's group conventions and by event *kind*. Nothing here is anchored to a log layout: a
line of an unknown layout is searched whole (``record.raw`` too), so a view change is never
hidden by an envelope this program does not know.

Names: every JGroups name that goes into an event (node, subject, members, view creator and
members) has Infinispan 16's ``(v=…)`` suffix removed (:func:`jgview.viewparse.strip_version`);
other suffixes are kept as printed.

Views: the regexes only find where a view starts; :mod:`jgview.viewparse` scans it (linear,
bounded). Lines that print only a view id (``created cluster (first member). My view is [a|0]``,
``installing merge view [a|5] (3 members) …``, ``not member of view [a|4]``) give
``detail["view_id"]``; for ``created cluster`` the singleton view ``[a|0] (1) [a]`` is implied and
set. ``no members discovered … creating cluster`` gives ``Kind.CREATED_CLUSTER`` with
``view=None`` (the history stage implies ``[X|0] (1) [X]``).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import regex

from jgview.catalogue import (
    BOOL_FIELDS,
    CANDIDATE_WORD_OF,
    CANDIDATE_WORDS,
    IGNORED,
    INT_FIELDS,
    LIST_FIELDS,
    MISSING_CLIENT,
    PATTERNS,
    SUPPRESSED,
    SYMPTOM_ERRORS,
    Wording,
    is_candidate,  # re-exported: the records stage's prefilter is the events stage's
    lazy_regex,
    native_words_test,
)
from jgview.catalogue import make_native_tests as make_catalogue_native_tests
from jgview.lazy import LazyPattern
from jgview.models import Detail, DetailList, Event, Kind, Record, View
from jgview.struct import Struct
from jgview.struct import fields as struct_fields
from jgview.viewparse import (
    bare_name,
    parse_list,
    parse_view_id_at,
    parse_view_or_merge_at,
    split_host_port,
    split_names,
    strip_version,
)

__all__ = ["MAX_EVENTS_PER_RECORD", "TEXT_LIMIT", "extract", "is_candidate", "node_from_thread", "scan"]

TEXT_LIMIT = 2000
"""Longest evidence text kept in :attr:`Event.text`."""

MAX_EVENTS_PER_RECORD = 50
"""At most this many events from one record (a bound for pathological records)."""

MAX_MATCHES_PER_WORDING = 20
"""At most this many matches of one wording are looked at in one record."""

_LOOKBACK = 700
"""How far back a ``%s: `` node token or an event-logger prefix is looked for."""

_TOKEN_STOP = frozenset(" \t\r\n[](){}\"'`|,;<>")

_ORDER: tuple[Wording, ...] = (
    IGNORED + tuple(w for w in PATTERNS if not w.fallback) + tuple(w for w in PATTERNS if w.fallback)
)

_PROPERTY_SPLIT = lazy_regex(r",\s{0,20}(?=[\w.-]{1,100}=>)")
"""Separator of ``k=>v`` discovery properties: a comma before the next ``key=>`` (values such as
``labels=>app=kc,tier=web`` keep their own commas). The lookahead is bounded: linear work."""

_WORDINGS_OF_WORD: dict[str, tuple[tuple[int, Wording], ...]] = {}
"""Candidate word → the wordings it may announce, in :data:`_ORDER` (so a record is tried only
against the few wordings its words can start, in the same order as before)."""
for _i, _w in enumerate(_ORDER):
    _WORDINGS_OF_WORD[CANDIDATE_WORD_OF[_w.id]] = _WORDINGS_OF_WORD.get(CANDIDATE_WORD_OF[_w.id], ()) + ((_i, _w),)
del _i, _w

_THREAD_IN_TEXT = lazy_regex(
    r"\((?P<thread>[A-Za-z][\w .\-]{0,60}-\d{1,6},[^()\s,]{1,300}(?:\([^()\n]{0,300}\))?"
    r"(?:,[^()\s,]{1,300}(?:\([^()\n]{0,300}\))?)?)\)"
)

_UNIT_MS = {
    "ns": 1e-6,
    "us": 1e-3,
    "µs": 1e-3,
    "ms": 1.0,
    "s": 1000.0,
    "m": 60_000.0,
    "h": 3_600_000.0,
    "d": 86_400_000.0,
}


# ------------------------------------------------------------------------------------------------
# public API


_SYMPTOM_WORDS = frozenset({"_ERROR", "expired_code", "invalid_code", "user_session_not_found", "required client"})
_OTHER_WORDS = tuple(w for w in CANDIDATE_WORDS if w not in _SYMPTOM_WORDS)
_HHMM = LazyPattern(regex.compile, r"\d\d:\d\d")
_OTHER_SCAN: Callable[[str], bool | None] | None = None
"""Whether a line holds one of :data:`_OTHER_WORDS` (None without the native scanner: a loop of
``in``). Made by :func:`make_native_tests`, or by the first line that needs it."""
_other_pending = True


def make_native_tests() -> None:
    """Make the native scanner's tests of the events stage and of :func:`is_candidate` now
    (before workers are forked, so that they share them). Once."""
    global _OTHER_SCAN, _other_pending
    make_catalogue_native_tests()
    if _other_pending:
        _other_pending = False
        _OTHER_SCAN = native_words_test(_OTHER_WORDS)


def sample_key(line: str) -> str | None:
    """For the records stage: a Keycloak event line (user-visible symptoms and other errors) whose
    only candidate words are those of the event line may be sampled: the key is the line up to its
    minute (``[pod/…] 2024-05-01T10:00`` …), so each pod and minute keeps a few. None for lines
    that may carry membership events, and for lines without a time in their first 160 characters
    (a continuation line, or a layout that prints the time late: never sampled)."""
    if "_ERROR" not in line and "_code" not in line and "user_session" not in line and "required client" not in line:
        return None
    # one native call for the ~40 other words (≈0.5 µs) instead of ~40 passes over the line (≈4 µs)
    if _other_pending:
        make_native_tests()
    hit = _OTHER_SCAN(line) if _OTHER_SCAN is not None else None
    if hit is None:
        hit = any(w in line for w in _OTHER_WORDS)
    if hit:
        return None
    m = _HHMM.search(line, 0, 160)
    return line[: m.end()] if m is not None else None  # no time near its start: never sampled


def extract(record: Record) -> list[Event]:
    """The membership events in one record (usually none, sometimes one, rarely more).

    Searches ``record.message``; when the layout was not recognized and the message gave
    nothing, ``record.raw`` as well. Never raises: a record that trips an unexpected error
    gives no events.
    """
    try:
        message = record.message
        if record.layout != "unknown" and message and len(message) <= MEMO_TEXT:
            return _extract_memo(record, message)
        return _extract(record)
    except Exception:  # noqa: BLE001 - one odd record must not stop a run
        return []


def scan(text: str, record: Record | None = None) -> list[Event]:
    """Events in ``text`` (the fields copied from ``record`` when given). Used by :func:`extract`."""
    if record is None:
        record = Record(source="<text>", lineno=0, message=text, raw=text.split("\n", 1)[0])
    return _scan(text, record, _thread_context(record))


def node_from_thread(thread: str | None) -> tuple[str | None, str | None]:
    """``(node, cluster)`` from a JGroups thread name, ``(None, None)`` when it names none.

    ``jgroups-7,keycloak-0-12345`` → ``("keycloak-0-12345", None)``;
    ``thread-3,ejb,node-a`` → ``("node-a", "ejb")``; ``Timer-2,shared=tcp`` and names without a
    comma (``ServerService Thread Pool -- 60``) name no node.
    """
    if not thread or "," not in thread or len(thread) > 2000:
        return None, None
    parts = [p.strip() for p in _split_depth0(thread, ",")]
    if len(parts) not in (2, 3) or not parts[0] or "=" in parts[0]:
        return None, None
    node = parts[-1]
    base = bare_name(node)
    if not base or "=" in base or any(c in _TOKEN_STOP for c in base):
        return None, None
    cluster = parts[1] if len(parts) == 3 else None
    if cluster is not None and (not cluster or "=" in cluster or " " in cluster):
        cluster = None
    return strip_version(node), cluster


# ------------------------------------------------------------------------------------------------
# scanning


def _extract(record: Record) -> list[Event]:
    message = record.message or ""
    context = _thread_context(record)
    events = _scan(message, record, context)
    if not events and record.layout == "unknown" and record.raw:
        first = message.split("\n", 1)[0]
        if record.raw != first:
            events = _scan(record.raw, record, context)
    return events


# ------------------------------------------------------------------------------------------------
# memo: the same message again (a warning repeated every few seconds) is not parsed again


MEMO_SIZE = 1024
"""Messages whose events are remembered (least recently used ones are forgotten)."""

MEMO_TEXT = 600
"""Longest message remembered (bounds the memo's memory with :data:`MEMO_SIZE`)."""

_THREAD_MEMO_SIZE = 512
_THREAD_MEMO_TEXT = 300

_Kept = tuple[Kind, "str | None", "str | None", "View | None", "tuple[View, ...]", "tuple[str, ...]",
              "tuple[str, ...]", "str | None", "dict[str, Any]"]

_memo: OrderedDict[tuple[str, tuple[str | None, str | None]], tuple[_Kept, ...]] = OrderedDict()
"""``(message, thread context)`` → what its events took from the message: kind, node, channel,
view, subgroups, members, lost, subject and a read-only copy of ``detail`` that the events of the
message's later records share (:class:`~jgview.models.Detail`)."""

_thread_memo: dict[str, tuple[str | None, str | None]] = {}
"""Thread name → :func:`node_from_thread` (a log has few thread names)."""

_NO_CONTEXT: tuple[str | None, str | None] = (None, None)


def _extract_memo(record: Record, message: str) -> list[Event]:
    """:func:`_extract` of a record whose layout was recognized (so only its message and its
    thread are searched): the events of a message already seen with the same thread context are
    rebuilt, with this record's source, line, evidence, time, pod, level and logger."""
    thread = record.thread
    if thread is None:
        context = _NO_CONTEXT
    else:
        context = _thread_memo.get(thread)  # type: ignore[assignment]
        if context is None:
            context = node_from_thread(thread)
            if len(thread) <= _THREAD_MEMO_TEXT:
                if len(_thread_memo) >= _THREAD_MEMO_SIZE:
                    _thread_memo.clear()
                _thread_memo[thread] = context
    key = (message, context)
    memo = _memo
    kept = memo.get(key)
    if kept is None:
        events = _scan(message, record, context)
        if len(memo) >= MEMO_SIZE:
            try:
                memo.popitem(last=False)  # the least recently used
            except KeyError:
                pass
        memo[key] = tuple([(ev.kind, ev.node, ev.channel, ev.view, ev.subgroups, ev.members, ev.lost,
                            ev.subject, _shared_detail(ev.detail)) for ev in events])
        return events
    try:  # recently used: to the end of the eviction order
        memo.move_to_end(key)
    except KeyError:
        pass
    if not kept:
        return []
    text = _evidence(record)
    # (arguments by position, in the order of _EVENT_FIELDS: a third of the cost by keyword; a loop,
    # not a list comprehension: no call of its own, for the one event of most records)
    out = []
    for k in kept:
        out.append(Event(k[0], record.source, record.lineno, text, record.time, record.time_of_day,
                         record.pod, k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8],
                         record.level, record.logger))
    return out


_EVENT_FIELDS = ("kind", "source", "lineno", "text", "time", "time_of_day", "pod", "node", "channel", "view",
                 "subgroups", "members", "lost", "subject", "detail", "level", "logger")
"""The order in which :func:`_extract_memo` passes an event's fields (checked at import)."""
if struct_fields(Event)[:len(_EVENT_FIELDS)] != _EVENT_FIELDS:  # pragma: no cover
    raise RuntimeError("events: Event's fields changed order: update _EVENT_FIELDS and _extract_memo")


_ATOMIC = frozenset({str, int, float, bool, type(None)})


def _fresh_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``detail`` sharing no mutable part with it (its values are strings, numbers and
    lists of names)."""
    out = dict(detail)  # (a copy in C; then the few mutable values, copied deeply)
    for k, v in out.items():
        if type(v) not in _ATOMIC:
            out[k] = _fresh(v)  # (a new value for a key: the dict is not resized while iterated)
    return out


def _shared_detail(detail: dict[str, Any]) -> Detail:
    """A read-only copy of ``detail`` (lists and dicts in it too), shared by the events of the
    message's later records: they are many (a repeated warning) and nothing changes them."""
    return Detail({k: _read_only(v) for k, v in detail.items()})


def _read_only(value: Any) -> Any:
    if type(value) in _ATOMIC:
        return value
    if isinstance(value, list):
        return DetailList(_read_only(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_read_only(v) for v in value)
    if isinstance(value, dict):
        return Detail({k: _read_only(v) for k, v in value.items()})
    return value


def _fresh(value: Any) -> Any:
    if type(value) in _ATOMIC:
        return value
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return copy.deepcopy(value)


class _Built(Struct):
    event: Event | None
    end: int


def _scan(text: str, record: Record, context: tuple[str | None, str | None]) -> list[Event]:
    if not text:
        return []
    present = tuple([word for word in _SCAN_WORDS if word in text])  # is_candidate(), remembering which
    if not present:
        return []
    todo = _TODO.get(present)
    if todo is None:
        todo = _todo(present)
    claimed: list[tuple[int, int]] = []
    found: list[tuple[int, Event]] = []
    for _i, wording in todo:
        if wording.keyword not in text:
            continue
        for count, m in enumerate(wording.regex.finditer(text)):
            if count >= MAX_MATCHES_PER_WORDING:
                break
            start = m.start()
            if claimed and any(start < ce and cs < max(m.end(), start + 1) for cs, ce in claimed):
                continue
            built = _build(wording, m, text, record, context)
            claimed.append((start, max(built.end, m.end(), start + 1)))
            if built.event is not None:
                found.append((start, built.event))
    if len(found) <= 1:
        return [found[0][1]] if found else []
    found.sort(key=_first)
    events: list[Event] = []
    seen: set[tuple[Any, ...]] = set()
    for _start, ev in found:
        key = (
            ev.kind,
            ev.node,
            ev.subject,
            ev.channel,
            ev.view.view_id if ev.view else ev.detail.get("view_id"),
            ev.members,
            ev.detail.get("wording"),
        )
        if key in seen:
            continue
        seen.add(key)
        events.append(ev)
        if len(events) >= MAX_EVENTS_PER_RECORD:
            break
    return events


_first = itemgetter(0)

_SCAN_WORDS = tuple(w for w in CANDIDATE_WORDS if w in _WORDINGS_OF_WORD)
"""The candidate words that announce some wording (the others cannot start an event)."""

_TODO: dict[tuple[str, ...], tuple[tuple[int, Wording], ...]] = {}
"""Candidate words present → the wordings to try, in :data:`_ORDER` (few combinations occur)."""


def _todo(present: tuple[str, ...]) -> tuple[tuple[int, Wording], ...]:
    if len(present) == 1:
        todo = _WORDINGS_OF_WORD[present[0]]
    else:
        todo = tuple(sorted({iw[0]: iw for word in present for iw in _WORDINGS_OF_WORD[word]}.values(),
                            key=_first))
    if len(_TODO) >= 512:
        _TODO.clear()
    _TODO[present] = todo
    return todo


def _thread_context(record: Record) -> tuple[str | None, str | None]:
    """``(node, cluster)`` named by the record's thread (found in the raw line if not parsed)."""
    thread = record.thread
    if thread is None and record.layout == "unknown":
        for text in (record.raw, record.message or ""):
            text = text[:TEXT_LIMIT].split("\n", 1)[0]
            if "," in text:
                m = _THREAD_IN_TEXT.search(text)
                if m is not None:
                    thread = m.group("thread")
                    break
    return node_from_thread(thread)


# ------------------------------------------------------------------------------------------------
# building one event


def _build(
    wording: Wording,
    m: Any,
    text: str,
    record: Record,
    context: tuple[str | None, str | None],
) -> _Built:
    end = m.end()
    detail: dict[str, Any] = {"wording": wording.id}
    if wording.fields:
        for key, value in wording.fields.items():
            detail[key] = list(value) if isinstance(value, tuple) else value
    if wording.kind is None:  # recognized to be ignored: the rest of its line is not an event either
        line_end = text.find("\n", end)
        return _Built(None, len(text) if line_end < 0 else line_end)

    kind = wording.kind
    node: str | None = None
    channel: str | None = None
    subject: str | None = None
    members: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    view: View | None = None
    subgroups: tuple[View, ...] = ()

    groups = m.groupdict()
    for name, value in groups.items():
        if value is None or name in ("view", "elapsed", "unit", "seconds"):
            continue
        if name == "node":
            node = strip_version(value) or None
        elif name == "channel":
            channel = value.strip() or None
        elif name == "subject":
            subject = strip_version(value) or None
        elif name == "subjects":
            names = _names(value)
            members = tuple(names)
            subject = names[0] if names else None
        elif name == "members":
            members = tuple(_names(value))
        elif name == "lost":
            lost = tuple(_names(value))
        elif name in LIST_FIELDS:
            detail[name] = _names(value)
        elif name in ("view_id", "installed_view_id"):
            detail[name] = _norm_view_id(value)
        else:
            detail[name] = _value(name, value)
    if groups.get("elapsed"):
        ms = _to_ms(groups["elapsed"], groups.get("unit") or "ms")
        if ms is not None:
            detail["elapsed_ms"] = ms
    elif groups.get("seconds"):  # a plain decimal number of seconds (Quarkus "stopped in 0.061s")
        ms = float(groups["seconds"]) * 1000
        detail["elapsed_ms"] = int(ms) if ms == int(ms) else round(ms, 3)

    # a view printed at the marker (parsed by the scanner, not the regex)
    if "view" in groups and m.start("view") >= 0:
        pos = m.start("view")
        got = parse_view_or_merge_at(text, pos)
        if got is not None:
            view, subgroups, view_end, is_merge = got
            end = max(end, view_end)
            if is_merge and kind is Kind.VIEW:
                kind = Kind.MERGED_VIEW
        else:
            vid = parse_view_id_at(text, pos)
            if vid is not None:
                creator, number, end_id = vid
                end = max(end, end_id)
                detail["view_id"] = f"[{creator}|{number}]"
                if kind is Kind.CREATED_CLUSTER:
                    view = View(creator=creator, id=number, members=(creator,), size=1)
            else:
                detail["view_unparsed"] = text[pos : pos + 200].split("\n", 1)[0]
        if view is not None and wording.view_diff:
            end = _view_diff(text, end, detail)
        if wording.after is not None:
            am = wording.after.match(text, end)
            if am is not None:
                for name, value in am.groupdict().items():
                    if value is not None:
                        detail[name] = _names(value) if name in LIST_FIELDS else _value(name, value)
                end = am.end()

    if wording.node_prefix and node is None:
        node = _node_before(text, m.start())
        if node is None and wording.node_required:
            return _Built(None, end)
    if wording.subject_before:
        names = _names_before(text, m.start())
        if names:
            members = tuple(names)
            subject = names[0]
    if wording.event_logger:
        for key, value in _event_prefix(text, m.start()).items():
            detail[key] = value

    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if wording.extras:
        for rx in wording.extras:
            em = rx.search(text, m.start())
            if em is None:
                continue
            for name, value in em.groupdict().items():
                if value is not None and name not in detail:
                    detail[name] = _value(name, value)
        end = max(end, line_end)
    # (a cheap test first: both SuppressLog suffixes contain one of these literals)
    sm = SUPPRESSED.search(text, end, line_end) if text.find("(received ", end, line_end) >= 0 \
        or text.find(" suppressed messages in the last ", end, line_end) >= 0 else None
    if sm is not None:
        count = sm.group("suppressed") or sm.group("suppressed2")
        detail["suppressed"] = int(count)

    # kind-specific facts
    if kind is Kind.LOCAL_ADDRESS:
        subject = node
        if "physical" in detail:
            detail["physical_hosts"] = [split_host_port(a)[0] for a in detail["physical"]]
    elif kind is Kind.SUSPECT and subject is None and detail.get("self"):
        subject = node or context[0]
    elif kind is Kind.USER_SYMPTOM:
        symptom = _symptom(detail, text[m.start() : line_end])
        if symptom is None:
            return _Built(None, end)
        detail["symptom"] = symptom
    elif kind is Kind.DNS_ENTRIES:
        detail.setdefault("entries", [])
    elif kind is Kind.DIFFERENT_CLUSTER and channel is None and detail.get("our_cluster"):
        channel = str(detail["our_cluster"])  # the cluster name is the channel name
    if "properties" in detail:  # `{k=>v, k2=>v2}` or `{k=>v,k2=>v2}` of the Keycloak image's discovery line
        for item in _PROPERTY_SPLIT.split(str(detail["properties"]), maxsplit=100):
            key, arrow, value = item.partition("=>")
            if arrow and key.strip() and key.strip() not in detail:
                detail[key.strip()] = value.strip()

    if node is None:
        node = context[0]
    if channel is None and context[1] is not None and kind not in (Kind.USER_SYMPTOM, Kind.NODE_NAME):
        channel = context[1]

    event = Event(
        kind=kind,
        source=record.source,
        lineno=record.lineno,
        text=_evidence(record),
        time=record.time,
        time_of_day=record.time_of_day,
        pod=record.pod,
        node=node,
        channel=channel,
        view=view,
        subgroups=subgroups,
        members=members,
        lost=lost,
        subject=subject,
        detail=detail,
        level=record.level,
        logger=record.logger,
    )
    return _Built(event, end)


def _evidence(record: Record) -> str:
    first = record.raw or (record.message or "").split("\n", 1)[0]
    return first[:TEXT_LIMIT]


def _value(name: str, value: str) -> Any:
    if name in BOOL_FIELDS:
        return True
    value = value.strip()
    if name in INT_FIELDS and value.isdigit() and len(value) <= 18:
        return int(value)
    return value


def _names(value: str) -> list[str]:
    """Names from ``[a, b]`` (Infinispan/JGroups list) or bare ``a, b`` / ``a``."""
    value = value.strip()
    if value.startswith("["):
        items, end = parse_list(value)
        if end:
            return items
        value = value.strip("[]")
    return [strip_version(n) for n in split_names(value)]


def _norm_view_id(value: str) -> str:
    got = parse_view_id_at(value)
    if got is None:
        return value.strip()
    return f"[{got[0]}|{got[1]}]"


def _to_ms(number: str, unit: str) -> int | float | None:
    """Milliseconds from ``3321`` ms or 5.5's ``Util.printTime`` (``2.00s``, ``2,00s``, ``1,234.50ms``)."""
    s = "".join(ch for ch in number if ch.isdigit() or ch in ".,")
    if not s:
        return None
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if decimal == "," else ","
        s = s.replace(group, "").replace(decimal, ".")
    elif commas or dots:
        sep = "," if commas else "."
        last = s.rsplit(sep, 1)[1]
        if (commas + dots) > 1 or len(last) == 3:
            s = s.replace(sep, "")  # grouping separators
        else:
            s = s.replace(sep, ".")
    try:
        ms = float(s) * _UNIT_MS.get(unit, 1.0)
    except ValueError:
        return None
    return int(ms) if ms == int(ms) else round(ms, 3)


def _view_diff(text: str, pos: int, detail: dict[str, Any]) -> int:
    """``View.printDiff`` after a view: `` (a joined, [b, c] left)`` → detail joined/left."""
    if not text.startswith(" (", pos):
        return pos
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    close = text.rfind(")", pos, line_end)
    if close < 0:
        return pos
    inner = text[pos + 2 : close]
    joined: str | None = None
    left: str | None = None
    if inner.endswith(" joined"):
        joined = inner[: -len(" joined")]
    elif inner.endswith(" left"):
        body = inner[: -len(" left")]
        cut = body.find(" joined, ")
        if cut >= 0:
            joined, left = body[:cut], body[cut + len(" joined, ") :]
        else:
            left = body
    else:
        return pos
    if joined is not None:
        detail["joined"] = _names(joined)
    if left is not None:
        detail["left"] = _names(left)
    return close + 1


def _token_end_start(text: str, end: int) -> int:
    """Start of the name token that ends at ``end`` (an ExtendedUUID ``(…)`` suffix included)."""
    lo = max(0, end - _LOOKBACK)
    i = end
    if i > lo and text[i - 1] == ")":
        j = text.rfind("(", lo, i - 1)
        if j >= lo and "\n" not in text[j:i] and ")" not in text[j + 1 : i - 1]:
            i = j
    k = i
    while k > lo and text[k - 1] not in _TOKEN_STOP:
        k -= 1
    if k == lo and lo > 0:
        return -1  # longer than any name: not a name
    return k


def _split_depth0(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    parts: list[str] = []
    depth = 0
    last = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[last:i])
            last = i + 1
    parts.append(text[last:])
    return parts


def _node_before(text: str, pos: int) -> str | None:
    """The ``%s`` of a ``%s: message`` line whose message starts at ``pos``."""
    if pos < 3 or text[pos - 2 : pos] != ": ":
        return None
    end = pos - 2
    start = _token_end_start(text, end)
    if start < 0:
        return None
    name = text[start:end]
    return strip_version(name) or None


def _names_before(text: str, pos: int) -> list[str]:
    """The name or ``[a, b]`` list that ends right before ``pos`` (VERIFY_SUSPECT)."""
    if pos <= 0:
        return []
    if text[pos - 1] == "]":
        open_ = text.rfind("[", max(0, pos - 200_000), pos - 1)
        if open_ < 0:
            return []
        items, end = parse_list(text, open_)
        return items if end == pos else []
    start = _token_end_start(text, pos)
    if start < 0:
        return []
    name = strip_version(text[start:pos])
    return [name] if name else []


_PREFIX_FIELDS = {"Context": "cache", "Scope": "scope", "User": "user"}


def _event_prefix(text: str, pos: int) -> dict[str, str]:
    """``[Context=c][Scope=s][User=u]`` right before an event-logger id (with or without a space)."""
    out: dict[str, str] = {}
    i = pos
    if i > 0 and text[i - 1] == " ":
        i -= 1
    for _ in range(3):
        if i <= 0 or text[i - 1] != "]":
            break
        j = text.rfind("[", max(0, i - 1 - 600), i - 1)
        if j < 0:
            break
        key, eq, value = text[j + 1 : i - 1].partition("=")
        if not eq or key not in ("Context", "Scope", "User"):
            break
        name = _PREFIX_FIELDS[key]
        out[name] = strip_version(value) if name == "scope" else value
        i = j
    return out


def _symptom(detail: dict[str, Any], line: str) -> str | None:
    """The user-visible symptom a Keycloak event line shows, or None if it shows none."""
    if detail.get("symptom"):
        return str(detail["symptom"])
    error = str(detail.get("error") or "")
    if MISSING_CLIENT in line:
        return MISSING_CLIENT
    if error in SYMPTOM_ERRORS:
        return error
    return None
