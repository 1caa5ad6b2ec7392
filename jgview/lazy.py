"""Patterns compiled when first used.

Compiling a pattern costs 0.1–1 ms; the analysis of a tiny log must start in 150 ms (README,
"Performance") and most runs use few of the patterns the modules define (the wordings of the
catalogue, the layouts other than the log's own).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

__all__ = ["LazyPattern"]


_MATCHERS = frozenset({"match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "splititer"})
"""The methods of a :mod:`regex` pattern that take ``concurrent``."""


class LazyPattern:
    """Stands for ``compile(pattern, *args)`` (:func:`re.compile` or :func:`regex.compile`) and
    compiles it at the first use of any attribute (``match``, ``search``, ``groupindex`` …); its
    methods are then kept as plain attributes, so later calls cost what the compiled pattern's
    do. ``pattern`` is readable without compiling.

    A :mod:`regex` pattern matches with ``concurrent=False``: by default :mod:`regex` lets the GIL
    go while it matches a ``str``, and while the fast reader's threads read ahead that hands the
    GIL away on every match (measured: 2 µs a match alone, 21 µs beside a busy thread, 3 µs with
    ``concurrent=False``); a wording's match is too short to gain from running beside them."""

    __slots__ = ("pattern", "_make", "_compiled", "__dict__")

    def __init__(self, compile: Callable[..., Any], pattern: Any, *args: Any) -> None:
        self.pattern = pattern
        self._make = (compile, args)
        self._compiled: Any = None

    def compiled(self) -> Any:
        """The compiled pattern (compiling it now if not yet done)."""
        got = self._compiled
        if got is None:
            compile, args = self._make
            got = self._compiled = compile(self.pattern, *args)
        return got

    def __getattr__(self, name: str) -> Any:  # (only for names not found: the pattern's own)
        if name.startswith("_"):  # (a slot not set yet, as in a copy being made: not the pattern's)
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        if callable(value):
            if name in _MATCHERS and getattr(self._make[0], "__module__", "").startswith("regex"):
                value = partial(value, concurrent=False)
            self.__dict__[name] = value
        return value

    def __reduce__(self) -> tuple[Any, ...]:  # (pickle and copy: made again from the pattern)
        compile, args = self._make
        return (LazyPattern, (compile, self.pattern, *args))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"
