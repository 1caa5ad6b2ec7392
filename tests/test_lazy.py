"""jgview.lazy.LazyPattern: compiled at first use, then as fast as the pattern; copied and pickled
as a pattern is (the copy being made used to recurse without end: its slot for the compiled
pattern is not set yet)."""

from __future__ import annotations

import copy
import pickle
import re

import pytest
import regex

from jgview.lazy import LazyPattern


@pytest.mark.parametrize("compile", [re.compile, regex.compile])
def test_compiled_at_first_use_then_its_methods_are_kept(compile):
    made = []

    def counting(*a):
        made.append(a)
        return compile(*a)

    p = LazyPattern(counting, r"(?P<n>\d+)-x", re.I)
    assert p.pattern == r"(?P<n>\d+)-x" and made == []
    assert p.match("12-X").group("n") == "12" and p.search("a 7-x").group(1) == "7"
    assert p.groupindex["n"] == 1 and len(made) == 1
    assert "match" in p.__dict__  # later calls skip __getattr__
    with pytest.raises(AttributeError):
        p.no_such_method  # noqa: B018


@pytest.mark.parametrize("used", [False, True])
def test_pickle_copy_and_deepcopy_give_a_working_pattern(used):
    p = LazyPattern(re.compile, r"ISPN0000(\d\d)", re.I)
    if used:
        assert p.search("x ispn000094 y")
    for q in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert isinstance(q, LazyPattern) and q.pattern == p.pattern
        assert q.search("x ispn000094 y").group(1) == "94"  # (the flag came along)


def test_regex_patterns_match_keeping_the_gil_and_give_the_same_results():
    """(regex lets the GIL go while matching a str by default: beside the fast reader's threads
    every match handed it away, 2 -> 21 us; the lazy pattern binds concurrent=False.)"""
    lazy = LazyPattern(regex.compile, r"(?P<n>\d+)-x", regex.V0 | regex.I)
    plain = regex.compile(r"(?P<n>\d+)-x", regex.V0 | regex.I)
    text = "a 12-X b 7-x c"
    assert lazy.search(text).span() == plain.search(text).span()
    assert lazy.search(text, 4).span() == plain.search(text, 4).span()
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert lazy.findall(text) == plain.findall(text) and lazy.sub("#", text) == plain.sub("#", text)
    assert lazy.match("3-x").group("n") == "3" and lazy.fullmatch("3-x") and lazy.split(text) == plain.split(text)
    for name in ("search", "finditer", "match", "sub"):
        assert getattr(lazy, name).keywords == {"concurrent": False}
    assert not hasattr(LazyPattern(re.compile, "x").search, "keywords")  # (re never lets it go)
