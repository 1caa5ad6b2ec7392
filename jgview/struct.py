"""Value classes that cost nothing to define at import.

``@dataclass`` writes each class's ``__init__``, ``__repr__`` and ``__eq__`` as source text and
compiles it when the module is imported: about 0.8 ms per class on the machine we measure on, and
the analysis of a tiny log defines some thirty of them — a fifth of its start-up time (the target
is 150 ms for the whole run, README "Performance"). A :class:`Struct` is declared the same way::

    class Finding(Struct):
        id: str
        severity: Severity
        evidence: list[Evidence] = field(default_factory=list)

and behaves as ``@dataclass(slots=True)`` does: keyword or positional construction in field
order, defaults and ``default_factory``, ``__slots__`` (no ``__dict__``: a misspelt attribute
raises), ``repr``, ``==`` between instances of the same class (unhashable, like a dataclass with
``eq=True``); ``class View(Struct, frozen=True)`` gives a frozen, hashable one. Its methods are
shared by all the classes (one generic ``__init__`` instead of one compiled per class). The
generic ``__init__`` costs 2.2 µs an instance against a dataclass' 0.5, so a class gets its own,
written and compiled as a dataclass' is, once :data:`HOT` instances of it have been built (the
records, events and views of every candidate line, the observations and segments of a large
cluster; a tiny log compiles none), after which building one costs what a dataclass' costs.
Equality, hashing and pickling read the values with one :func:`operator.attrgetter` call.

Type checkers read a Struct as a dataclass (:func:`typing.dataclass_transform`).
"""

from __future__ import annotations

import sys
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, ClassVar

if sys.version_info >= (3, 11) or TYPE_CHECKING:
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10: type checkers only
    def dataclass_transform(**_kw: Any) -> Callable[[Any], Any]:
        return lambda cls: cls

__all__ = ["FrozenInstanceError", "Struct", "field", "fields"]

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen :class:`Struct` (as :class:`dataclasses.FrozenInstanceError`)."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is made anew for each instance (``field(default_factory=list)``)."""
    return _Factory(default_factory)


def fields(obj: Any) -> tuple[str, ...]:
    """The field names of a Struct class or instance, in declaration order."""
    return obj._fields


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__origin__", None)
    return text is ClassVar or (isinstance(text, str) and text.replace("typing.", "").startswith("ClassVar"))


@dataclass_transform(field_specifiers=(field,))
class _StructMeta(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any], frozen: bool = False) -> Any:
        own = tuple(n for n, t in ns.get("__annotations__", {}).items() if not _is_classvar(t))
        inherited: tuple[str, ...] = ()
        defaults: dict[str, Any] = {}
        for base in bases:
            if getattr(base, "_fields", ()):
                raise TypeError(f"{name}: a Struct cannot inherit the fields of {base.__name__}")
        for n in own:
            if n in ns:
                defaults[n] = ns.pop(n)
        required = [n for n in own if n not in defaults]
        if required and defaults and own.index(required[-1]) > own.index(next(iter(defaults))):
            raise TypeError(f"{name}: non-default field '{required[-1]}' follows a default field")
        ns["__slots__"] = own
        if bases and "__init__" not in ns:
            ns["__init__"] = Struct.__init__  # each class its own entry: see _compiled_init
        cls = super().__new__(mcls, name, bases, ns)
        cls._fields = inherited + own
        cls._get = attrgetter(*cls._fields) if len(cls._fields) > 1 else None  # (their values, at C speed)
        cls._defaults = defaults
        cls.__match_args__ = own
        if frozen:
            cls._frozen = True
            cls.__setattr__ = _frozen_setattr
            cls.__delattr__ = _frozen_setattr
            cls.__hash__ = _hash
        elif "__hash__" not in ns and bases:
            cls.__hash__ = None  # type: ignore[assignment]  # (== compares values: unhashable)
        return cls


class Struct(metaclass=_StructMeta):
    """Base of the value classes (see the module's docstring)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _frozen: ClassVar[bool] = False
    _made: ClassVar[int] = 0
    _get: ClassVar[Any] = None

    def __init__(self, *args: Any, **kw: Any) -> None:
        cls = type(self)
        cls._made += 1
        if cls._made >= HOT:  # (>=: a subclass starts from its base's count)
            cls.__init__ = _compiled_init(cls)  # type: ignore[misc]
        names = cls._fields
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} were given")
        put = object.__setattr__
        for name, value in zip(names, args):
            put(self, name, value)
        defaults = cls._defaults
        for name in names[len(args):]:
            value = kw.pop(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{cls.__name__}() missing required argument: '{name}'")
                if type(value) is _Factory:
                    value = value.make()
            put(self, name, value)
        if kw:
            extra = next(iter(kw))
            if extra in names:
                raise TypeError(f"{cls.__name__}() got multiple values for argument '{extra}'")
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{extra}'")

    def __repr__(self) -> str:
        parts = (f"{n}={getattr(self, n, '<unset>')!r}" for n in self._fields)
        return f"{type(self).__qualname__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def __getstate__(self) -> tuple[Any, ...]:  # (pickle and copy: the values in field order)
        return _values(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        put = object.__setattr__
        for name, value in zip(self._fields, state):
            put(self, name, value)

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (as :func:`dataclasses.replace`)."""
        return type(self)(**{n: changes.pop(n) if n in changes else getattr(self, n) for n in self._fields},
                          **changes)


HOT = 200
"""Instances of one class built with the shared ``__init__`` before the class gets its own."""


def _compiled_init(cls: type) -> Callable[..., None]:
    """An ``__init__`` written for ``cls`` as :mod:`dataclasses` writes one (0.5 µs an instance
    instead of 2.2, for ~0.3 ms of compiling): made only for the classes that turn out to be
    built in numbers, so that start-up pays for none."""
    names: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
    defaults: dict[str, Any] = cls._defaults  # type: ignore[attr-defined]
    env: dict[str, Any] = {"_jg_put": object.__setattr__, "_jg_missing": _MISSING}
    params, body = [], []
    for n in names:
        if n not in defaults:
            params.append(n)
        elif type(defaults[n]) is _Factory:
            params.append(f"{n}=_jg_missing")
            env[f"_jg_make_{n}"] = defaults[n].make
            body.append(f"    if {n} is _jg_missing:\n        {n} = _jg_make_{n}()")
        else:
            params.append(f"{n}=_jg_default_{n}")
            env[f"_jg_default_{n}"] = defaults[n]
    for n in names:
        body.append(f"    _jg_put(self, {n!r}, {n})" if cls._frozen else f"    self.{n} = {n}")  # type: ignore[attr-defined]
    src = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(src, f"<struct {cls.__qualname__}>", "exec"), env)
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init  # type: ignore[no-any-return]


def _values(obj: Any) -> tuple[Any, ...]:
    get = obj._get
    return get(obj) if get is not None else tuple(getattr(obj, n) for n in obj._fields)


def _frozen_setattr(self: Any, name: str, *value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}' of a frozen {type(self).__name__}")


def _hash(self: Any) -> int:
    return hash(_values(self))
