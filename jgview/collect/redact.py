"""Redaction of secret-looking values in Kubernetes objects before they are written to a bundle.

What is redacted (the value becomes ``<redacted>``):

* env vars whose name has a secret-ish word (``KEYCLOAK_ADMIN_PASSWORD``, ``DB_PASSWORD``,
  ``*_TOKEN``, ``*_SECRET``, ``*_KEY``, ``*_CREDENTIALS`` …); ``valueFrom`` references are kept;
* command-line options with such names, in ``args``/``command`` and inside env values such as
  ``JAVA_OPTS``: ``--db-password=x``, ``--db-password x``, ``-Dfoo.password=x``,
  ``-Djavax.net.ssl.keyStorePassword=x``;
* ``user:password@`` in URLs, ``password=…``/``password: …`` assignments inside ConfigMap data and
  other free text;
* string values of mapping keys with secret-ish names anywhere (custom resources, ConfigMap keys);
* the ``kubectl.kubernetes.io/last-applied-configuration`` annotation is redacted recursively.

Names are split into words (``_ . - /`` and camelCase), so ``KEYCLOAK_ADMIN`` is not a key and
``JGROUPS_DISCOVERY_PROPERTIES`` keeps its ``dns_query``.
"""

from __future__ import annotations

import json
import re
from typing import Any

REDACTED = "<redacted>"

_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "key",
        "keys",
        "apikey",
        "credential",
        "credentials",
        "creds",
        "jwt",
        "bearer",
        "salt",
    }
)
_SECRET_SUBSTRINGS = ("password", "passwd", "secret", "token", "apikey", "credential", "privatekey")
# words that make a name a *reference* to a secret rather than the secret itself
_REFERENCE_SUFFIXES = (
    "name",
    "ref",
    "file",
    "path",
    "dir",
    "secretname",
    "mount",
    "kind",
    "type",
    "length",
    "size",
    "ttl",
    "expiry",
    "alg",
    "algorithm",
    "format",
    "id",
)
_REFERENCE_KEYS = frozenset(
    {
        "key",
        "name",
        "secretName",
        "secretRef",
        "secretKeyRef",
        "keyRef",
        "serviceAccountName",
        "kind",
        "apiVersion",
        "type",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# --opt=value / -Dprop=value ; bounded, linear patterns
_OPT_ASSIGN = re.compile(r"(?P<opt>(?:--?|-D)[A-Za-z0-9][A-Za-z0-9._-]{0,200})=(?P<val>[^\s\"']+)")
_URL_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,30}://)(?P<user>[^\s:/@]{1,200}):"
    r"(?P<pw>[^\s/@]{1,500})@"
)
_KV_TEXT = re.compile(
    r"(?P<key>[A-Za-z0-9_.\-]{0,200}(?:password|passwd|secret|token|apikey|api-key|api_key|credential)"
    r"[A-Za-z0-9_.\-]{0,100})(?P<sep>\s*[=:]\s*|\s*=\s*\"|\s*:\s*\"|=\")(?P<val>[^\s\"',;<>]{1,2000})",
    re.IGNORECASE,
)


def _words(name: str) -> list[str]:
    return [w.lower() for w in _SPLIT.split(_CAMEL.sub(" ", name)) if w]


def is_secret_name(name: str) -> bool:
    """True for names like ``DB_PASSWORD``, ``apiToken``, ``--db-password``, ``foo.password``."""
    words = _words(name)
    if not words:
        return False
    if words[-1] in _REFERENCE_SUFFIXES and len(words) > 1 and any(w in _SECRET_WORDS for w in words[:-1]):
        return False  # KC_HTTPS_CERTIFICATE_KEY_FILE, passwordSecretName: a reference, not a secret
    if any(w in _SECRET_WORDS for w in words):
        return True
    joined = "".join(words)
    return any(s in joined for s in _SECRET_SUBSTRINGS)


def redact_text(text: str) -> str:
    """Redact secret-looking assignments inside free text (JAVA_OPTS, properties, XML, URLs)."""
    if not text:
        return text

    def opt(m: re.Match[str]) -> str:
        name = m.group("opt")
        name = name[2:] if name.startswith("-D") else name.lstrip("-")
        return f"{m.group('opt')}={REDACTED}" if is_secret_name(name) else m.group(0)

    text = _OPT_ASSIGN.sub(opt, text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{REDACTED}@", text)
    text = _KV_TEXT.sub(lambda m: f"{m.group('key')}{m.group('sep')}{REDACTED}", text)
    return text


def redact_args(args: list[Any]) -> list[Any]:
    """Redact an argument list: ``--x-password=v``, ``--x-password v``, ``-Dx.password=v``."""
    out: list[Any] = []
    hide_next = False
    for a in args:
        if not isinstance(a, str):
            out.append(a)
            hide_next = False
            continue
        if hide_next and not a.startswith("-"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        if a.startswith("-") and "=" not in a and is_secret_name(a.lstrip("-")):
            hide_next = True
            out.append(a)
            continue
        out.append(redact_text(a))
    return out


def _redact_env(env: list[Any]) -> list[Any]:
    out = []
    for item in env:
        if not isinstance(item, dict):
            out.append(item)
            continue
        item = dict(item)
        value = item.get("value")
        if isinstance(value, str):
            name = str(item.get("name", ""))
            item["value"] = REDACTED if (is_secret_name(name) and value) else redact_text(value)
        if "valueFrom" in item:
            item["valueFrom"] = redact_object(item["valueFrom"])
        out.append(item)
    return out


def redact_object(obj: Any) -> Any:
    """A redacted deep copy of a Kubernetes object (or any JSON value)."""
    if isinstance(obj, list):
        return [redact_object(x) for x in obj]
    if not isinstance(obj, dict):
        return redact_text(obj) if isinstance(obj, str) else obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "env" and isinstance(value, list):
            out[key] = _redact_env(value)
        elif key in ("args", "command") and isinstance(value, list):
            out[key] = redact_args(value)
        elif key == "kubectl.kubernetes.io/last-applied-configuration" and isinstance(value, str):
            try:
                out[key] = json.dumps(redact_object(json.loads(value)), sort_keys=True)
            except ValueError:
                out[key] = REDACTED
        elif isinstance(value, str) and value and key not in _REFERENCE_KEYS and is_secret_name(key):
            out[key] = REDACTED
        else:
            out[key] = redact_object(value)
    return out
