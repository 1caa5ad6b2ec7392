"""Patterns compiled when first used.

Compiling a pattern costs 0.1–1 ms; the analysis of a tiny log must start in 150 ms (README,
"Performance") and most runs use few of the patterns the modules define (the wordings of the
catalogue, the layouts other than the log's own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["LazyPattern"]


class LazyPattern:
    """Stands for ``compile(pattern, *args)`` (:func:`re.compile` or :func:`regex.compile`) and
    compiles it at the first use of any attribute (``match``, ``search``, ``groupindex`` …); its
    methods are then kept as plain attributes, so later calls cost what the compiled pattern's
    do. ``pattern`` is readable without compiling."""

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
            self.__dict__[name] = value
        return value

    def __reduce__(self) -> tuple[Any, ...]:  # (pickle and copy: made again from the pattern)
        compile, args = self._make
        return (LazyPattern, (compile, self.pattern, *args))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"
