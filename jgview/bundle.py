"""Evidence bundles: what ``jgview collect`` writes, and ``oc adm inspect`` / must-gather folders.

A collect bundle is a directory::

    manifest.json                      when, which context/namespace/selector, kubectl version,
                                       what was collected, what failed and why
    logs/<ns>/<pod>/<container>.log            current container log (kubelet timestamps)
    logs/<ns>/<pod>/<container>.previous.log   the container before its last restart
    objects/<kind>.json                Kubernetes List of the objects (secrets redacted)
    objects/can_i.json                 ``kubectl auth can-i`` answers for KUBE_PING service accounts

An ``oc adm inspect`` folder (also found one level down inside a must-gather folder) holds
``namespaces/<ns>/<group>/<resource>.yaml`` lists, ``namespaces/<ns>/pods/<pod>/<pod>.yaml`` and
``namespaces/<ns>/pods/<pod>/<container>/<container>/logs/{current,previous}.log``.

This module only reads files; it never talks to a cluster.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
BUNDLE_MARKER = "jgview_bundle"
"""Key in ``manifest.json`` whose value is the bundle layout version."""
BUNDLE_VERSION = 1

OBJECT_KINDS = (
    "pods",
    "services",
    "endpoints",
    "endpointslices",
    "statefulsets",
    "deployments",
    "replicasets",
    "deploymentconfigs",
    "replicationcontrollers",
    "networkpolicies",
    "configmaps",
    "events",
    "customresources",
)
"""Object files a collect bundle may hold (``objects/<kind>.json``)."""

MAX_OBJECT_FILE = 64 * 1024 * 1024
"""Object files larger than this are not read (a bundle is evidence, not a cluster backup)."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(slots=True)
class BundleLog:
    """One log file of a bundle, with what the bundle says about it."""

    path: str
    """Path of the log file (the bundle directory joined with its relative path)."""
    pod: str
    container: str | None
    previous: bool
    """The log of the container before its last restart (``kubectl logs --previous``)."""
    namespace: str | None = None


# --------------------------------------------------------------------------------------------
# layout (shared by the writer in jgview.collect and the readers below)


def safe_component(name: str, *, limit: int = 120) -> str:
    """A file-name component that cannot leave its directory: no separators, never ``.``/``..``."""
    out = _SAFE.sub("_", name)[:limit]
    if not out or set(out) <= {"."}:
        out = "_" + out
    if out.startswith("."):
        out = "_" + out[1:]
    return out


def log_relpath(namespace: str | None, pod: str, container: str | None, previous: bool) -> str:
    """Relative path of a log inside a collect bundle."""
    name = safe_component(container or "log") + (".previous.log" if previous else ".log")
    return "/".join(["logs", safe_component(namespace or "_"), safe_component(pod), name])


def objects_relpath(kind: str) -> str:
    return f"objects/{safe_component(kind)}.json"


def inside(root: str | os.PathLike[str], candidate: str | os.PathLike[str]) -> bool:
    """True when ``candidate`` resolves to a path inside ``root`` (symlinks followed)."""
    r = os.path.realpath(root)
    c = os.path.realpath(candidate)
    return c == r or c.startswith(r.rstrip(os.sep) + os.sep)


# --------------------------------------------------------------------------------------------
# detection


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of a collect bundle, or None when ``path`` is not one."""
    p = Path(path) / MANIFEST
    try:
        if not p.is_file() or p.stat().st_size > MAX_OBJECT_FILE:
            return None
        data = json.loads(p.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and BUNDLE_MARKER in data:
        return data
    return None


def _inspect_roots(path: Path) -> list[Path]:
    """Directories (``path`` itself or one/two levels down) holding an inspect ``namespaces`` tree."""
    roots: list[Path] = []
    candidates = [path]
    try:
        level1 = [c for c in sorted(path.iterdir()) if c.is_dir()] if path.is_dir() else []
    except OSError:
        return []
    candidates += level1
    for c in level1[:50]:
        try:
            candidates += [d for d in sorted(c.iterdir()) if d.is_dir()][:50]
        except OSError:
            continue
    for c in candidates:
        ns_dir = c / "namespaces"
        if not ns_dir.is_dir():
            continue
        try:
            for ns in ns_dir.iterdir():
                if (ns / "pods").is_dir() or (ns / "core").is_dir():
                    roots.append(c)
                    break
        except OSError:
            continue
    return roots


def is_bundle(path: str | os.PathLike[str]) -> bool:
    """A collect bundle (``manifest.json``) or an ``oc adm inspect`` / must-gather folder."""
    p = Path(path)
    if not p.is_dir():
        return False
    return read_manifest(p) is not None or bool(_inspect_roots(p))


# --------------------------------------------------------------------------------------------
# logs


def bundle_inputs(path: str | os.PathLike[str]) -> list[BundleLog]:
    """The log files of a bundle, current logs before previous ones, in a stable order."""
    root = Path(path)
    manifest = read_manifest(root)
    out: list[BundleLog] = []
    if manifest is not None:
        for entry in manifest.get("logs", []):
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                continue
            file = root / entry["path"]
            if not inside(root, file) or not file.is_file():
                continue
            out.append(
                BundleLog(
                    path=str(file),
                    pod=str(entry.get("pod") or file.parent.name),
                    container=entry.get("container"),
                    previous=bool(entry.get("previous")),
                    namespace=entry.get("namespace"),
                )
            )
        return out
    for base in _inspect_roots(root):
        for ns_dir in sorted((base / "namespaces").iterdir()):
            pods_dir = ns_dir / "pods"
            if not pods_dir.is_dir():
                continue
            for pod_dir in sorted(pods_dir.iterdir()):
                if not pod_dir.is_dir():
                    continue
                for logs_dir in sorted(pod_dir.glob("*/*/logs")):
                    container = logs_dir.parent.name
                    for log in sorted(logs_dir.glob("*.log")):
                        if not log.is_file() or log.stat().st_size == 0:
                            continue
                        out.append(
                            BundleLog(
                                path=str(log),
                                pod=pod_dir.name,
                                container=container,
                                previous=log.name.startswith("previous"),
                                namespace=ns_dir.name,
                            )
                        )
    out.sort(key=lambda b: (b.previous, b.namespace or "", b.pod, b.container or "", b.path))
    return out


# --------------------------------------------------------------------------------------------
# objects


def _empty_objects() -> dict[str, Any]:
    objs: dict[str, Any] = {k: [] for k in OBJECT_KINDS}
    objs["can_i"] = []
    objs["manifest"] = {}
    objs["sources"] = {}
    return objs


def _items(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict):
        if isinstance(doc.get("items"), list):
            return [i for i in doc["items"] if isinstance(i, dict)]
        if "metadata" in doc:
            return [doc]
    if isinstance(doc, list):
        return [i for i in doc if isinstance(i, dict)]
    return []


def _read_json(file: Path) -> Any:
    try:
        if file.stat().st_size > MAX_OBJECT_FILE:
            return None
        return json.loads(file.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None


def load_objects(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The cluster objects of a bundle, by kind (see :data:`OBJECT_KINDS`), plus ``can_i``,
    ``manifest`` and ``sources`` (kind -> file the objects came from, for evidence)."""
    root = Path(path)
    objs = _empty_objects()
    manifest = read_manifest(root)
    if manifest is not None:
        objs["manifest"] = manifest
        for kind in OBJECT_KINDS:
            rel = objects_relpath(kind)
            file = root / rel
            if file.is_file() and inside(root, file):
                objs[kind] = _items(_read_json(file))
                objs["sources"][kind] = rel
        can_i = _read_json(root / "objects" / "can_i.json")
        if isinstance(can_i, list):
            objs["can_i"] = [c for c in can_i if isinstance(c, dict)]
        return objs
    for base in _inspect_roots(root):
        _load_inspect(root, base, objs)
    return objs


_INSPECT_FILES = {
    ("core", "pods.yaml"): "pods",
    ("core", "services.yaml"): "services",
    ("core", "endpoints.yaml"): "endpoints",
    ("core", "configmaps.yaml"): "configmaps",
    ("core", "events.yaml"): "events",
    ("core", "replicationcontrollers.yaml"): "replicationcontrollers",
    ("apps", "statefulsets.yaml"): "statefulsets",
    ("apps", "deployments.yaml"): "deployments",
    ("apps", "replicasets.yaml"): "replicasets",
    ("apps.openshift.io", "deploymentconfigs.yaml"): "deploymentconfigs",
    ("networking.k8s.io", "networkpolicies.yaml"): "networkpolicies",
    ("discovery.k8s.io", "endpointslices.yaml"): "endpointslices",
    ("k8s.keycloak.org", "keycloaks.yaml"): "customresources",
    ("keycloak.org", "keycloaks.yaml"): "customresources",
    ("infinispan.org", "infinispans.yaml"): "customresources",
}


def _load_inspect(root: Path, base: Path, objs: dict[str, Any]) -> None:
    seen: set[tuple[str, str, str]] = set()

    def add(kind: str, items: list[dict[str, Any]], file: Path) -> None:
        objs["sources"].setdefault(kind, str(file.relative_to(root)))
        for item in items:
            meta = item.get("metadata") or {}
            key = (kind, str(meta.get("namespace", "")), str(meta.get("name", "")))
            if key in seen:
                continue
            seen.add(key)
            objs[kind].append(item)

    for ns_dir in sorted((base / "namespaces").iterdir()):
        if not ns_dir.is_dir():
            continue
        for (group, fname), kind in _INSPECT_FILES.items():
            file = ns_dir / group / fname
            if file.is_file():
                add(kind, _items(_read_yaml_file(file)), file)
        pods_dir = ns_dir / "pods"
        if pods_dir.is_dir():
            for pod_dir in sorted(pods_dir.iterdir()):
                file = pod_dir / f"{pod_dir.name}.yaml"
                if file.is_file():
                    add("pods", _items(_read_yaml_file(file)), file)


def _read_yaml_file(file: Path) -> Any:
    try:
        if file.stat().st_size > MAX_OBJECT_FILE:
            return None
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            pass
    try:
        return load_yaml(text)
    except YamlError:
        return None


# --------------------------------------------------------------------------------------------
# a YAML reader for what kubectl/oc print (block style, as sigs.k8s.io/yaml emits it)


class YamlError(ValueError):
    pass


_KEY = re.compile(
    r"""^(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\-][^:#]*|-[^\s:#][^:#]*)\s*:(?:\s|$)"""
)
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _scalar(text: str) -> Any:
    t = text.strip()
    if t.startswith('"'):
        try:
            return json.loads(t)
        except ValueError:
            return t.strip('"')
    if t.startswith("'"):
        return t[1:-1].replace("''", "'") if t.endswith("'") and len(t) > 1 else t[1:]
    if " #" in t:  # a comment after a plain scalar
        t = t.split(" #", 1)[0].rstrip()
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if t == "{}":
        return {}
    if t == "[]":
        return []
    if _INT.match(t):
        return int(t)
    if _FLOAT.match(t):
        return float(t)
    return t


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines: list[tuple[int, str]] = []
        for raw in text.splitlines():
            stripped = raw.strip()
            if stripped in ("---", "...") and not raw.startswith(" "):
                continue
            self.lines.append((len(raw) - len(raw.lstrip(" ")), raw.rstrip()))
        self.i = 0

    def peek(self) -> tuple[int, str] | None:
        while self.i < len(self.lines):
            ind, raw = self.lines[self.i]
            s = raw.strip()
            if s and not s.startswith("#"):
                return ind, s
            self.i += 1
        return None


def load_yaml(text: str) -> Any:
    """Parse the block-style YAML subset kubectl/oc print: mappings, ``- `` sequences, plain and
    quoted scalars (folded over continuation lines), ``|``/``>`` blocks, ``{}``/``[]``.
    Anchors, tags and flow collections with content are not supported (YamlError)."""
    lines = _Lines(text)
    first = lines.peek()
    if first is None:
        return None
    value = _node(lines, first[0])
    return value


def _node(lines: _Lines, indent: int) -> Any:
    head = lines.peek()
    if head is None:
        return None
    ind, s = head
    if s.startswith("- ") or s == "-":
        return _seq(lines, ind)
    if _KEY.match(s):
        return _map(lines, ind)
    lines.i += 1
    return _scalar(_continued(lines, s, ind - 1))


def _continued(lines: _Lines, first: str, parent_indent: int) -> str:
    """A plain or quoted scalar that the emitter folded onto more-indented lines."""
    parts = [first]
    quote = first[:1] if first[:1] in ("'", '"') else ""
    while True:
        if quote and _closed(" ".join(parts), quote):
            break
        if lines.i >= len(lines.lines):
            break
        ind, raw = lines.lines[lines.i]
        s = raw.strip()
        if not s:
            if quote:
                parts.append("\n")
                lines.i += 1
                continue
            break
        if ind <= parent_indent or (not quote and (_KEY.match(s) or s.startswith("- "))):
            break
        parts.append(s)
        lines.i += 1
    text = ""
    for p in parts:
        text = p if not text else (text + p if text.endswith("\n") or p == "\n" else text + " " + p)
    return text


def _closed(text: str, quote: str) -> bool:
    body = text[1:]
    if quote == "'":
        body = body.replace("''", "")
        return "'" in body
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] == '"':
            return True
        i += 1
    return False


def _block(lines: _Lines, indicator: str, parent_indent: int) -> str:
    collected: list[str] = []
    block_indent: int | None = None
    while lines.i < len(lines.lines):
        ind, raw = lines.lines[lines.i]
        if raw.strip() == "":
            collected.append("")
            lines.i += 1
            continue
        if ind <= parent_indent:
            break
        if block_indent is None:
            block_indent = ind
        if ind < block_indent:
            break
        collected.append(raw[block_indent:])
        lines.i += 1
    while collected and collected[-1] == "" and not indicator.endswith("+"):
        collected.pop()
    if indicator.startswith(">"):
        text = ""
        for line in collected:
            text += "\n" if line == "" else ((" " if text and not text.endswith("\n") else "") + line)
    else:
        text = "\n".join(collected)
    if indicator.endswith("-"):
        return text
    return text + "\n"


def _value_after_colon(lines: _Lines, rest: str, indent: int) -> Any:
    rest = rest.strip()
    if rest.startswith(("|", ">")):
        return _block(lines, rest.split()[0], indent)
    if rest.startswith(("&", "*", "!")):
        raise YamlError(f"unsupported YAML feature: {rest[:20]!r}")
    if rest:
        if rest.startswith(("[", "{")) and rest not in ("[]", "{}"):
            try:
                return json.loads(rest)
            except ValueError as exc:
                raise YamlError(f"unsupported flow collection: {rest[:40]!r}") from exc
        return _scalar(_continued(lines, rest, indent))
    nxt = lines.peek()
    if nxt is None:
        return None
    nind, ns = nxt
    if nind > indent or (nind == indent and (ns.startswith("- ") or ns == "-")):
        return _node(lines, nind)
    return None


def _map(lines: _Lines, indent: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    while True:
        head = lines.peek()
        if head is None:
            break
        ind, s = head
        if ind != indent:
            if ind > indent:
                raise YamlError(f"unexpected indentation at line {lines.i + 1}")
            break
        m = _KEY.match(s)
        if not m:
            break
        key = _scalar(m.group("key").rstrip())
        lines.i += 1
        out[str(key)] = _value_after_colon(lines, s[m.end() :], indent)
    return out


def _seq(lines: _Lines, indent: int) -> list[Any]:
    out: list[Any] = []
    while True:
        head = lines.peek()
        if head is None:
            break
        ind, s = head
        if ind != indent or not (s.startswith("- ") or s == "-"):
            break
        rest = s[1:].lstrip(" ")
        if not rest:
            lines.i += 1
            nxt = lines.peek()
            out.append(_node(lines, nxt[0]) if nxt and nxt[0] > indent else None)
            continue
        item_indent = indent + (len(s) - len(rest))
        # re-read the rest of the line as if it started a block at item_indent
        lines.lines[lines.i] = (item_indent, " " * item_indent + rest)
        if _KEY.match(rest):
            out.append(_map(lines, item_indent))
        elif rest.startswith("- "):
            out.append(_seq(lines, item_indent))
        else:
            lines.i += 1
            if rest.startswith(("|", ">")):
                out.append(_block(lines, rest.split()[0], indent))
            else:
                out.append(_scalar(_continued(lines, rest, indent)))
    return out
