"""``--redact``: a copy of an :class:`~jgview.models.Analysis` fit to share outside the team.

Replaced consistently (the same value gets the same placeholder everywhere in the analysis, so
the report still reads: ``ip-1`` is always the same address):

* IPv4 and IPv6 addresses (ports kept: ``ip-1:7800``) → ``ip-N``;
* bearer tokens, JWT-looking tokens and ``token=``/``password=``/``secret=``… values → ``token-N``;
* ``user=``, ``username=``, ``userId=``, ``user_id=`` values (also JSON ``"username": "…"``) and
  home directories (``/home/alice/``, ``/Users/alice/``, ``C:\\Users\\alice\\``) → ``user-N``;
* e-mail addresses → ``email-N``.

Pod, member and channel names are kept (they are what the report is about). Every pattern is
linear (bounded repetitions, no nested quantifiers) and the text of one string is bounded by the
stages that produced it.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from datetime import date, datetime, tzinfo
from typing import Any

import regex

from jgview.models import Analysis
from jgview.struct import Struct, fields as struct_fields

_MAX_TEXT = 200_000
"""Strings longer than this are cut before redaction (bounded work per string)."""

_EMAIL = regex.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])")
_BEARER = regex.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,4096})")
_JWT = regex.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{4,4096}\.[A-Za-z0-9_-]{4,4096}\.[A-Za-z0-9_-]{0,4096}(?![\w-])")
_SECRET_KEY = r"[\w.-]{0,40}?(?:token|password|passwd|secret|api[_-]?key|credentials?)"
_USER_KEY = r"(?:user|username|user_name|user_?id)"
_SECRET_KV = regex.compile(
    rf"(?i)(?<![\w])((?:\"{_SECRET_KEY}\"\s{{0,3}}:\s{{0,3}}\"|{_SECRET_KEY}=[\"']?))([^\s,;\"'&)\]}}]{{1,4096}})"
)
_USER_KV = regex.compile(
    rf"(?i)(?<![\w])((?:\"{_USER_KEY}\"\s{{0,3}}:\s{{0,3}}\"|{_USER_KEY}=[\"']?))([^\s,;\"'&)\]}}]{{1,512}})"
)
_HOME = regex.compile(r"(?i)((?:/home/|/Users/|[A-Z]:\\Users\\))([A-Za-z0-9._-]{1,64})(?=[/\\]|$|\s)")
_IPV4 = regex.compile(r"(?<![\w.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\w]|\.\d)")
_IPV6 = regex.compile(r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,45}(?:%[\w-]{1,32})?(?![\w:]|\.\d)")

_NOT_VALUES = {"null", "none", "nil", "-", "n/a", "unknown", "true", "false", "anonymous"}
_PLACEHOLDER = regex.compile(r"^(?:ip|user|token|email)-\d+$")


class Redactor:
    """Replaces sensitive values in strings, numbering each distinct value once."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, str]] = {"ip": {}, "token": {}, "user": {}, "email": {}}

    def _ph(self, kind: str, value: str) -> str:
        m = self.maps[kind]
        if value not in m:
            m[value] = f"{kind}-{len(m) + 1}"
        return m[value]

    # --- the individual transforms -------------------------------------------------------------

    def _ipv6(self, mt: regex.Match[str]) -> str:
        cand = mt.group(0)
        zone = ""
        if "%" in cand:
            cand, zone = cand.split("%", 1)
            zone = "%" + zone
        if ("::" not in cand and cand.count(":") < 7) or not cand.strip(":"):
            return mt.group(0)
        tries = [(cand, "")]
        if cand.count(":") >= 2:
            host, _, port = cand.rpartition(":")
            if port.isdigit() and len(port) <= 5:
                tries.append((host, ":" + port))
        for host, port in tries:
            try:
                addr = ipaddress.IPv6Address(host)
            except ValueError:
                continue
            return self._ph("ip", addr.compressed) + zone + port
        return mt.group(0)

    def _ipv4(self, mt: regex.Match[str]) -> str:
        return self._ph("ip", mt.group(0))

    def text(self, s: str) -> str:
        if not s:
            return s
        if _PLACEHOLDER.match(s):
            return s
        if len(s) > _MAX_TEXT:
            s = s[:_MAX_TEXT]
        s = _JWT.sub(lambda m: self._ph("token", m.group(0)), s)
        s = _BEARER.sub(lambda m: m.group(1) + m.group(2) + self._ph("token", m.group(3)), s)
        s = _SECRET_KV.sub(lambda m: m.group(1) + (m.group(2) if _keep(m.group(2)) else self._ph("token", m.group(2))), s)
        s = _EMAIL.sub(lambda m: self._ph("email", m.group(0).lower()), s)
        s = _USER_KV.sub(lambda m: m.group(1) + (m.group(2) if _keep(m.group(2)) else self._ph("user", m.group(2))), s)
        s = _HOME.sub(lambda m: m.group(1) + self._ph("user", m.group(2)), s)
        if ":" in s:
            s = _IPV6.sub(self._ipv6, s)
        if "." in s:
            s = _IPV4.sub(self._ipv4, s)
        return s

    # --- deep copy ----------------------------------------------------------------------------

    def value(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, (bool, int, float, enum.Enum, datetime, date, tzinfo)):
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            return [self.value(x) for x in obj]
        if isinstance(obj, tuple):
            return tuple(self.value(x) for x in obj)
        if isinstance(obj, set):
            return {self.value(x) for x in obj}
        if isinstance(obj, dict):
            return {self.value(k): self.value(v) for k, v in obj.items()}
        if isinstance(obj, Struct):
            return type(obj)(*(self.value(getattr(obj, n)) for n in struct_fields(obj)))
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {f.name: self.value(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
            return dataclasses.replace(obj, **changes)
        return obj


def _keep(value: str) -> bool:
    return value.lower() in _NOT_VALUES or bool(_PLACEHOLDER.match(value))


def redact_text(text: str, redactor: Redactor | None = None) -> str:
    """One string redacted (a fresh numbering unless a :class:`Redactor` is passed)."""
    return (redactor or Redactor()).text(text)


def redact(a: Analysis, redactor: Redactor | None = None) -> Analysis:
    """A redacted deep copy of ``a``; ``a`` itself is not changed. Placeholders are numbered in the
    order the values are met, the same value always getting the same placeholder."""
    r = redactor or Redactor()
    out = r.value(a)
    assert isinstance(out, Analysis)
    return out
