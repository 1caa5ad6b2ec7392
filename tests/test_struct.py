"""jgview.struct.Struct behaves as the dataclasses it replaced (start-up time, see its docstring)."""

from __future__ import annotations

import copy
import pickle

import pytest

from jgview.models import Analysis, Finding, Severity, SourceInfo, Verdict
from jgview.redact import redact
from jgview import struct
from jgview.struct import FrozenInstanceError, Struct, field, fields


class Point(Struct):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


class Key(Struct, frozen=True):
    name: str
    n: int = 1


def _fresh(cls: type) -> type:
    """A new class declared as ``cls`` is (its own count of instances, its own __init__)."""
    ns = {"__annotations__": {n: cls.__annotations__[n] for n in cls._fields}, **cls._defaults}
    return type(cls)(cls.__name__, (Struct,), ns, frozen=cls._frozen)


def _classes(hot: bool) -> tuple[type, type]:
    """A fresh Point and Key; ``hot``: already built often enough to have their own __init__."""
    Point, Key = _fresh(globals()["Point"]), _fresh(globals()["Key"])
    for cls, arg in ((Point, 0), (Key, "k")):
        assert cls.__init__ is Struct.__init__
        if hot:
            for _ in range(struct.HOT):
                cls(arg)
            assert cls.__init__ is not Struct.__init__
    return Point, Key


@pytest.mark.parametrize("hot", [False, True], ids=["shared-init", "compiled-init"])
def test_construction_positional_keyword_defaults_and_factories(hot):
    Point, Key = _classes(hot)
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, [])
    q = Point(2, tags=["a"], y=3)
    assert (q.x, q.y, q.tags) == (2, 3, ["a"])
    assert Point(1).tags is not Point(1).tags  # a new list for each instance
    assert fields(Point) == ("x", "y", "tags") == fields(p)
    k = Key("a")
    assert (k.name, k.n) == ("a", 1) and Key(n=2, name="b") == Key("b", 2)
    with pytest.raises(FrozenInstanceError):
        k.n = 2  # type: ignore[misc]


@pytest.mark.parametrize("hot", [False, True], ids=["shared-init", "compiled-init"])
@pytest.mark.parametrize(
    ("args", "kw", "message"),
    [
        ((), {}, r"missing (1 )?required (positional )?argument: 'x'"),
        ((1, 2, [], 4), {}, r"takes (3|from 2 to 4) positional arguments but (4|5) were given"),
        ((1,), {"z": 2}, "unexpected keyword argument 'z'"),
        ((1,), {"x": 2}, "multiple values for argument 'x'"),
    ],
)
def test_wrong_arguments_raise_type_error(hot, args, kw, message):
    Point, _ = _classes(hot)
    with pytest.raises(TypeError, match=message):
        Point(*args, **kw)


def test_only_the_classes_built_in_numbers_get_their_own_init():
    Point, Key = _classes(hot=False)
    for _ in range(struct.HOT - 1):
        Point(1)
    assert Point.__init__ is Struct.__init__  # (nothing compiled for a class built rarely)
    Point(1)
    assert Point.__init__ is not Struct.__init__ and Key.__init__ is Struct.__init__
    assert Point.__init__.__qualname__.endswith("Point.__init__")

    class Base(Struct):  # a class without fields: its subclasses keep their own __init__
        pass

    class Sub(Base):
        a: int

    for _ in range(struct.HOT):
        Base()
    assert Sub(a=3).a == 3 and Sub(4).a == 4


def test_slots_repr_and_equality():
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.z = 3  # type: ignore[attr-defined]
    assert not hasattr(p, "__dict__")
    assert repr(p) == "Point(x=1, y=2, tags=[])"
    assert p == Point(1, 2) and p != Point(1, 3) and p != (1, 2, [])
    with pytest.raises(TypeError):
        hash(p)  # == compares values: unhashable, like a dataclass


def test_frozen_structs_refuse_changes_and_hash_by_value():
    k = Key("a")
    with pytest.raises(FrozenInstanceError):
        k.n = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del k.name  # type: ignore[misc]
    assert isinstance(FrozenInstanceError("x"), AttributeError)
    assert {Key("a"), Key("a", 1), Key("b")} == {Key("a"), Key("b")}


def test_pickle_copy_and_replace_keep_every_field():
    p = Point(1, 2, ["t"])
    for other in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert other == p and other is not p
    assert pickle.loads(pickle.dumps(Key("a", 5))) == Key("a", 5)
    r = p.replace(y=7)
    assert (r.x, r.y, r.tags) == (1, 7, ["t"]) and p.y == 2
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        p.replace(nope=1)


def test_declaration_mistakes_are_refused():
    with pytest.raises(TypeError, match="non-default field 'b' follows a default field"):

        class Bad(Struct):
            a: int = 0
            b: int

    with pytest.raises(TypeError, match="cannot inherit the fields"):

        class Child(Point):
            z: int = 0


def test_redact_copies_structs_deeply_without_touching_the_original():
    a = Analysis(
        verdict=Verdict.SPLIT,
        sentence="split at 10.0.0.7",
        channels=[],
        pods=[],
        findings=[Finding(id="R1", severity=Severity.ERROR, summary="pod at 10.0.0.7")],
        sources=[SourceInfo(name="keycloak-0.log", errors=["cannot read 10.0.0.7"])],
        stats={},
    )
    r = redact(a)
    assert "10.0.0.7" not in repr(r)
    assert r.findings[0].severity is Severity.ERROR and r.sources[0].name == "keycloak-0.log"
    assert a.findings[0].summary == "pod at 10.0.0.7"  # the original is unchanged
