"""Parsers for the way JGroups and Infinispan print views, addresses and lists.

Every function here is a hand-written, linear-time scanner: log text is hostile, so nothing
backtracks over a member list, work is bounded by the length of the text, and bad input gives
``None`` (or an empty result), never an exception.

Formats (``reference/messages.md`` §1):

* ``View.toString()``: ``[creator|id] (n) [m1, m2, ...]``; ``(n)`` may be missing
  (``View.suppress_view_size``); a list longer than ``max.list.print_size`` (default 20) ends
  with ``" ..."`` and no comma: ``(25) [m1, …, m20 ...]``.
* ``MergeView.toString()``: ``MergeView::`` + the view, then ``, k subgroups: v1, v2, …`` where
  subgroup views are joined with the same ``", "`` as members.
* Member names may contain ``(``, ``)``, ``=`` and ``", "`` inside an ``ExtendedUUID`` suffix
  (``kc-0(site-id=s1, rack-id=r1, machine-id=m1)``, ``kc-0-4711(v=16.0.8)``), may be 36-char
  UUIDs, container ids, IPv6 ``host%zone:port`` addresses or the JDBC_PING ``(starting)``
  placeholder. Members are split at ``", "`` outside parentheses.

Names: :func:`strip_version` removes Infinispan 16's ``(v=…)`` ExtendedUUID suffix (a
parenthesised ``key=value`` list that has a ``v`` key, e.g. ``(v=16.0.8)`` or
``(v=16.0.8, s=site1, r=r1, m=m1)``), because Infinispan 16 prints the same node bare in its own
messages. Other suffixes are kept as JGroups prints them — notably the ≤15
``(site-id=…, rack-id=…, machine-id=…)`` topology suffix, which JGroups *and* Infinispan print
the same way. :func:`bare_name` removes any ``key=value`` suffix, for matching a view member to a
name printed without it (Keycloak ``Node name:``, thread names).
"""

from __future__ import annotations

import re

from jgview.identity import bare, split_suffix
from jgview.lazy import LazyPattern
from jgview.models import View

__all__ = [
    "MAX_NAME",
    "bare_name",
    "parse_list",
    "parse_view",
    "parse_view_at",
    "parse_view_id_at",
    "parse_view_or_merge",
    "parse_view_or_merge_at",
    "split_host_port",
    "split_names",
    "strip_version",
]

MAX_NAME = 1000
"""Longest creator name accepted in a view id (a bound on work per attempt)."""

MAX_SUBGROUPS = 1000
"""Most subgroups kept from one MergeView (JGroups itself prints at most 20)."""

_VIEW_ID = LazyPattern(re.compile, r"\[([^\[\]\n\r|]{1,%d})\|(\d{1,18})\]" % MAX_NAME)
_SIZE = LazyPattern(re.compile, r" ?\((\d{1,12})\)")
_SUBGROUPS = LazyPattern(re.compile, r", (\d{1,9}) subgroups: ")
_MERGE_PREFIX = "MergeView::"
_PAREN_GROUP = LazyPattern(re.compile, r"\([^()]*\)")


# ------------------------------------------------------------------------------------------------
# names


def strip_version(name: str) -> str:
    """Drop Infinispan 16's ExtendedUUID version suffix: ``kc-0-4711(v=16.0.8)`` → ``kc-0-4711``.

    The suffix is removed when it is a ``key=value`` list with a ``v`` key (16.x prints ``v`` and
    optionally ``s``, ``r``, ``m``). Anything else — ``(site-id=…, rack-id=…, machine-id=…)``,
    ``(starting)``, names without a suffix — is returned unchanged (surrounding blanks removed).
    """
    name = name.strip()
    base, keys = split_suffix(name)
    if keys is not None and "v" in keys:
        return base
    return name


def bare_name(name: str) -> str:
    """The name without any ExtendedUUID ``(key=value, …)`` suffix (topology or version)."""
    return bare(name.strip())


def split_host_port(address: str) -> tuple[str, int | None]:
    """Split ``host:port`` on the **last** colon (JGroups prints IPv6 unbracketed, with zone).

    ``fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800`` → ``("fe80:0:0:0:5003:8eff:fefa:3e53%tap0", 7800)``;
    ``[::1]:7800`` → ``("::1", 7800)``; an address without a numeric port gives ``(address, None)``.
    """
    address = address.strip()
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or len(port) > 5 or not host:
        return address.strip("[]"), None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def split_names(content: str, limit: int | None = None) -> list[str]:
    """Split a list body ``a, b(x=1, y=2), c`` at ``", "`` outside parentheses.

    Linear: pieces come from ``str.split`` / ``str.find`` and are re-joined while a parenthesis
    is open; when the parentheses never balance, the plain split is used instead. Empty items
    are dropped; items are stripped of surrounding blanks. With ``limit``, at most ``limit``
    items are returned (see :func:`_split_limited` for the remainder).
    """
    items, _rest = _split_limited(content, limit)
    return items


def _split_plain(content: str, limit: int | None) -> tuple[list[str], str]:
    if limit is None:
        pieces, rest = content.split(", "), ""
    else:
        pieces = content.split(", ", limit)
        rest = pieces.pop() if len(pieces) > limit else ""
    return [p.strip() for p in pieces if p.strip()], rest


def _split_limited(content: str, limit: int | None) -> tuple[list[str], str]:
    """``(items, rest)``: up to ``limit`` items, and the unsplit remainder ("" when none)."""
    if not content:
        return [], ""
    if "(" not in content:
        return _split_plain(content, limit)
    items: list[str] = []
    n = len(content)
    pos = 0
    while pos <= n and (limit is None or len(items) < limit):
        depth = 0
        start = pos
        while True:
            sep = content.find(", ", pos)
            end = n if sep < 0 else sep
            depth += content.count("(", pos, end) - content.count(")", pos, end)
            if depth <= 0 or sep < 0:
                break
            pos = sep + 2
        if depth > 0:  # never closes: split the remainder plainly
            more, rest = _split_plain(content[start:], None if limit is None else limit - len(items))
            items.extend(more)
            return items, rest
        item = content[start:end].strip()
        if item:
            items.append(item)
        pos = end + 2
    rest = content[pos:] if pos < n else ""
    return items, rest


# ------------------------------------------------------------------------------------------------
# views


def _skip_blanks(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    return pos


def parse_view_id_at(text: str, pos: int = 0) -> tuple[str, int, int] | None:
    """Parse ``[creator|id]`` at ``pos`` (blanks skipped): ``(creator, id, end)`` or None.

    The creator keeps JGroups' spelling except the 5.5 ``(v=…)`` suffix (:func:`strip_version`).
    """
    try:
        pos = _skip_blanks(text, pos)
        m = _VIEW_ID.match(text, pos)
        if m is None:
            return None
        creator = strip_version(m.group(1))
        if not creator:
            return None
        return creator, int(m.group(2)), m.end()
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return None


def _parse_members(text: str, pos: int, max_members: int | None) -> tuple[list[str], int, bool, bool, str] | None:
    """Members of ``[m1, m2 ...]`` starting at ``pos`` (``text[pos] == "["``).

    Returns ``(members, end, dots, cut, rest)``: ``dots`` when JGroups' ``" ..."`` truncation
    marker ended the list, ``cut`` when the text ended (or a line break came) before ``]``, and
    ``rest`` the unsplit remainder when there were more than ``max_members`` members.
    """
    if pos >= len(text) or text[pos] != "[":
        return None
    start = pos + 1
    close = text.find("]", start)
    limit = close if close >= 0 else len(text)
    newline = -1
    for ch in "\n\r":
        i = text.find(ch, start, limit)
        if i >= 0 and (newline < 0 or i < newline):
            newline = i
    cut = close < 0 or newline >= 0
    stop = newline if newline >= 0 else limit
    if text.find("[", start, stop) >= 0:  # a nested "[" is never part of a member list
        return None
    members, rest = _split_limited(text[start:stop], max_members)
    dots = False
    if not cut and not rest and members and (members[-1] == "..." or members[-1].endswith(" ...")):
        dots = True
        last = members[-1][:-3].rstrip()
        if last:
            members[-1] = last
        else:
            members.pop()
    end = stop if cut else close + 1
    return members, end, dots, cut, rest


def parse_view_at(text: str, pos: int = 0, *, max_members: int = 5000) -> tuple[View, int] | None:
    """Parse ``[creator|id] (n) [m1, …]`` at ``pos`` (blanks skipped); ``(View, end)`` or None.

    ``end`` is the offset just after the closing ``]``. Members beyond ``max_members`` are
    dropped (``truncated`` set, ``size`` kept). A list cut by a line break (a wrapped line) keeps its
    names; one cut by the end of the text drops its last, possibly partial, name. Both are
    ``truncated``.
    """
    try:
        parsed = parse_view_id_at(text, pos)
        if parsed is None:
            return None
        creator, view_id, end = parsed
        size: int | None = None
        m = _SIZE.match(text, end)
        if m is not None:
            size = int(m.group(1))
            end = m.end()
        if text.startswith(" [", end):
            end += 1
        elif not text.startswith("[", end):
            return None
        got = _parse_members(text, end, max(0, max_members))
        if got is None:
            return None
        members, end, dots, cut, rest = got
        if cut and not rest and members and end >= len(text):
            members.pop()  # the text ended inside the list: the last name may be cut mid-way
        shown = len(members)
        if rest:
            if size is None:  # rare: no (n) and more names than we keep; count the separators
                more = _PAREN_GROUP.sub("", rest).count(", ") + 1
                size = shown + more - (1 if cut else 0)
        elif size is None:
            size = shown
        size = max(size, shown)  # a (n) smaller than the list printed is not believed
        truncated = dots or cut or bool(rest) or shown < size
        names = tuple(strip_version(m) for m in members)
        return View(creator=creator, id=view_id, members=names, size=size, truncated=truncated), end
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return None


def parse_view(text: str, *, max_members: int = 5000) -> tuple[View, int] | None:
    """Parse a view printed by JGroups at the start of ``text`` (leading blanks allowed).

    Returns the :class:`View` and the offset just past it, or None when ``text`` does not start
    with a view. Never raises; linear in the length of the view.
    """
    return parse_view_at(text, 0, max_members=max_members)


def parse_view_or_merge_at(
    text: str, pos: int = 0, *, max_members: int = 5000
) -> tuple[View, tuple[View, ...], int, bool] | None:
    """Parse a view or a MergeView at ``pos``: ``(view, subgroups, end, is_merge)`` or None.

    ``is_merge`` is True when the text said ``MergeView::`` or listed subgroups.
    """
    try:
        pos = _skip_blanks(text, pos)
        is_merge = False
        if text.startswith(_MERGE_PREFIX, pos):
            pos += len(_MERGE_PREFIX)
            is_merge = True
        got = parse_view_at(text, pos, max_members=max_members)
        if got is None:
            return None
        view, end = got
        subgroups: list[View] = []
        m = _SUBGROUPS.match(text, end)
        if m is not None:
            is_merge = True
            expected = int(m.group(1))
            cursor = m.end()
            while len(subgroups) < MAX_SUBGROUPS:
                sub = parse_view_at(text, cursor, max_members=max_members)
                if sub is None:
                    break
                subgroups.append(sub[0])
                end = cursor = sub[1]
                if len(subgroups) >= expected or not text.startswith(", [", cursor):
                    break
                cursor += 2
            if text.startswith(" ...", end):
                end += 4
        return view, tuple(subgroups), end, is_merge
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return None


def parse_view_or_merge(text: str) -> tuple[View, tuple[View, ...]] | None:
    """Parse a view or ``MergeView::[a|4] (2) [a, b], 2 subgroups: [a|3] (1) [a], [b|2] (1) [b]``.

    ``MergeView::`` is optional. Returns ``(view, subgroups)`` (no subgroups for a plain view) or
    None when ``text`` does not start with a view.
    """
    got = parse_view_or_merge_at(text, 0)
    if got is None:
        return None
    return got[0], got[1]


# ------------------------------------------------------------------------------------------------
# Infinispan lists


def parse_list(text: str, pos: int = 0) -> tuple[list[str], int]:
    """Parse an Infinispan ``List.toString()`` ``[a, b, c]`` at ``pos`` (blanks skipped).

    Infinispan never truncates these lists. Names go through :func:`strip_version`. Returns
    ``(items, end)`` with ``end`` just past ``]``; ``([], pos)`` when there is no complete list
    (no ``[``, or no ``]`` on the same line).
    """
    try:
        start = _skip_blanks(text, pos)
        got = _parse_members(text, start, None)
        if got is None:
            return [], pos
        items, end, _dots, cut, _rest = got
        if cut:
            return [], pos
        return [strip_version(i) for i in items], end
    except Exception:  # noqa: BLE001 - hostile input must never raise
        return [], pos
