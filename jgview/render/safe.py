"""Make log-derived text harmless before it is rendered anywhere.

Logs are hostile input: member names, channel names and messages may hold terminal escape
sequences, rich markup or HTML. Renderers pass every log-derived string through :func:`clean`
(terminal, Markdown) and additionally escape for their own syntax (rich ``Text``, HTML).
"""

from __future__ import annotations

import re

from jgview.lazy import LazyPattern

_CONTROL = LazyPattern(re.compile, r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _esc(m: re.Match[str]) -> str:
    c = m.group(0)
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def clean(text: object, limit: int | None = 2000) -> str:
    """Control characters (C0 except tab/newline, DEL, C1, bidi overrides) as visible escapes,
    and the length bounded."""
    s = "" if text is None else str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit] + f"… [{len(s) - limit} more characters]"
    return _CONTROL.sub(_esc, s)


def clean_line(text: object, limit: int | None = 2000) -> str:
    """Like :func:`clean` but also newlines and tabs escaped: one line out for one line in."""
    return clean(text, limit).replace("\n", "\\n").replace("\t", "    ").replace("\r", "\\r")
