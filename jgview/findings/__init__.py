"""The findings engine: one rule per failure mode of ``reference/diagnostics.md`` (R1–R17).

Each rule is a function ``rule(ctx: Context) -> list[Finding]`` registered with :func:`rule`;
:func:`evaluate` runs them all. Rules read the history and the per-channel results; they never
re-read logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jgview.models import Analysis, Finding
from jgview.struct import Struct

Rule = Callable[["Context"], list[Finding]]
RULES: list[tuple[str, Rule]] = []


class Context(Struct):
    history: Any
    """:class:`jgview.history.History`"""
    results: list[Any]
    """:class:`jgview.analysis.GroupResult` per channel and cluster group"""
    analysis: Analysis
    """The analysis so far (verdict, channels, pods, sources, stats); ``findings`` still empty."""
    objects: dict[str, Any] | None = None
    expect: int | None = None
    facts: Any = None
    """The rules' shared :class:`jgview.findings.r00_common.Facts`, made by the first rule that
    asks (:func:`jgview.findings.r00_common.facts`)."""


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def deco(fn: Rule) -> Rule:
        RULES.append((rule_id, fn))
        return fn

    return deco


def evaluate(ctx: Context) -> list[Finding]:
    _load_rules()
    out: list[Finding] = []
    for _rid, fn in RULES:
        out.extend(fn(ctx))
    return out


_loaded = False


def _load_rules() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for name in _rule_modules():
        if name.startswith("r") or name.startswith("rules_"):
            importlib.import_module(f"{__name__}.{name}")


def _rule_modules() -> list[str]:
    """The package's modules, by name: listed from its directory (``pkgutil`` costs about a
    millisecond of start-up), or by ``pkgutil`` where the package is not a directory (a zip)."""
    import os

    names: set[str] = set()
    try:
        for d in __path__:
            for f in os.listdir(d):
                stem, dot, ext = f.partition(".")
                if dot and ext in ("py", "pyc") and stem.isidentifier() and stem != "__init__":
                    names.add(stem)
    except OSError:
        import pkgutil

        names = {m.name for m in pkgutil.iter_modules(__path__)}
    return sorted(names)
