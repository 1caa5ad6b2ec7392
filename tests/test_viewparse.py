"""Tests of the view / list / name parsers (jgview.viewparse)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jgview.models import View
from jgview.viewparse import (
    bare_name,
    parse_list,
    parse_view,
    parse_view_at,
    parse_view_id_at,
    parse_view_or_merge,
    parse_view_or_merge_at,
    split_host_port,
    split_names,
    strip_version,
)

# ------------------------------------------------------------------------------------------------
# formatting exactly like JGroups (reference/messages.md §1)


def fmt_list(names: list[str], limit: int = 0) -> str:
    """Util.printListWithDelimiter(list, ", ", limit): stops after `limit` and appends " ..."."""
    out: list[str] = []
    for i, name in enumerate(names):
        out.append(name)
        if limit > 0 and i + 1 >= limit:
            text = ", ".join(out)
            return text + " ..." if len(names) > limit else text
    return ", ".join(out)


def fmt_view(creator: str, vid: int, members: list[str], limit: int = 0, show_size: bool = True) -> str:
    """View.toString()."""
    size = f" ({len(members)})" if show_size else ""
    return f"[{creator}|{vid}]{size} [{fmt_list(members, limit)}]"


def fmt_merge(view: str, subgroups: list[str]) -> str:
    """MergeView.toString()."""
    text = "MergeView::" + view
    if subgroups:
        text += f", {len(subgroups)} subgroups: " + ", ".join(subgroups)
    return text


# ------------------------------------------------------------------------------------------------
# examples from messages.md and real logs


def test_view_from_seed_log() -> None:
    text = "[keycloak-demo-1-mvrfg|1] (2) [keycloak-demo-1-mvrfg, keycloak-demo-1-vv5jn]"
    got = parse_view(text)
    assert got is not None
    view, end = got
    assert view == View("keycloak-demo-1-mvrfg", 1, ("keycloak-demo-1-mvrfg", "keycloak-demo-1-vv5jn"), 2)
    assert end == len(text)
    assert view.view_id == "[keycloak-demo-1-mvrfg|1]"
    assert view.coordinator == "keycloak-demo-1-mvrfg"


def test_view_leading_blanks_and_trailing_text() -> None:
    text = "   [a|3] (2) [a, b] (b joined)"
    view, end = parse_view(text)  # type: ignore[misc]
    assert view.members == ("a", "b")
    assert text[end:] == " (b joined)"


def test_view_without_size() -> None:
    view, _ = parse_view("[a|3] [a, b, c]")  # type: ignore[misc]
    assert (view.size, view.truncated, view.members) == (3, False, ("a", "b", "c"))


def test_view_truncated_at_20() -> None:
    names = [f"kc-{i}-{1000 + i}" for i in range(25)]
    text = fmt_view("kc-0-1000", 9, names, limit=20)
    assert text.endswith("kc-19-1019 ...]")
    view, end = parse_view(text)  # type: ignore[misc]
    assert view.members == tuple(names[:20])
    assert view.size == 25
    assert view.truncated is True
    assert end == len(text)


def test_view_names_with_extended_uuid_suffixes() -> None:
    text = (
        "[kc-0-4711(v=16.0.8)|3] (3) [kc-0-4711(v=16.0.8), kc-1-2(site-id=s1, rack-id=r1, machine-id=m1), "
        "0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90]"
    )
    view, _ = parse_view(text)  # type: ignore[misc]
    assert view.creator == "kc-0-4711"
    assert view.members == (
        "kc-0-4711",
        "kc-1-2(site-id=s1, rack-id=r1, machine-id=m1)",
        "0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90",
    )


def test_view_ipv6_and_placeholder_members() -> None:
    text = "[fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800|2] (3) [fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800, (starting), 3f2a9c1b7d4e]"
    view, _ = parse_view(text)  # type: ignore[misc]
    assert view.creator == "fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800"
    assert view.members[1:] == ("(starting)", "3f2a9c1b7d4e")


def test_merge_view_example() -> None:
    text = (
        "MergeView::[kc-0-111|4] (2) [kc-0-111, kc-1-222], 2 subgroups: "
        "[kc-0-111|3] (1) [kc-0-111], [kc-1-222|2] (1) [kc-1-222]"
    )
    got = parse_view_or_merge(text)
    assert got is not None
    view, subgroups = got
    assert view == View("kc-0-111", 4, ("kc-0-111", "kc-1-222"), 2)
    assert subgroups == (View("kc-0-111", 3, ("kc-0-111",), 1), View("kc-1-222", 2, ("kc-1-222",), 1))
    # without the MergeView:: prefix too
    assert parse_view_or_merge(text[len("MergeView::") :]) == got
    merged = parse_view_or_merge_at(text)
    assert merged is not None and merged[3] is True and merged[2] == len(text)


def test_merge_view_stale_and_new_subgroup_of_same_coordinator() -> None:
    text = "MergeView::[a|9] (2) [a, b], 2 subgroups: [a|7] (2) [a, b], [a|8] (1) [a]"
    view, subgroups = parse_view_or_merge(text)  # type: ignore[misc]
    assert [s.view_id for s in subgroups] == ["[a|7]", "[a|8]"]
    assert subgroups[0].members == ("a", "b")


def test_merge_view_subgroups_with_commas_in_names() -> None:
    a = "kc-0(site-id=s1, rack-id=r1, machine-id=m1)"
    b = "kc-1(site-id=s2, rack-id=r2, machine-id=m2)"
    text = fmt_merge(fmt_view(a, 5, [a, b]), [fmt_view(a, 4, [a]), fmt_view(b, 3, [b])])
    view, subgroups = parse_view_or_merge(text)  # type: ignore[misc]
    assert view.members == (a, b)
    assert [s.members for s in subgroups] == [(a,), (b,)]


def test_plain_view_has_no_subgroups() -> None:
    got = parse_view_or_merge_at("[a|1] (1) [a], and more")
    assert got is not None
    assert got[1] == () and got[3] is False


def test_view_id_only() -> None:
    assert parse_view_id_at("[kc-0(v=16.0.8)|12], impl is X") == ("kc-0", 12, 19)
    assert parse_view_id_at("x[a|1]", 1) == ("a", 1, 6)
    assert parse_view_id_at("[a|b]") is None
    # a view id alone is not a view
    assert parse_view("[a|1], impl is CoordGmsImpl") is None


def test_list_cut_by_end_of_text_keeps_complete_names() -> None:
    view, end = parse_view("[a|1] (3) [a, b, c-partia")  # type: ignore[misc]
    assert view.members == ("a", "b")
    assert view.size == 3 and view.truncated
    view, _ = parse_view("[a|1] (2) [a, b\nnext line")  # type: ignore[misc]
    assert view.members == ("a", "b") and view.truncated


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[",
        "[a",
        "[a|",
        "[a|1",
        "[a|1]",
        "[a|1] (2)",
        "[a|1] (2) x",
        "[|1] (1) [a]",
        "[a|x] (1) [a]",
        "[a|1] (1) [a, [b]]",
        "view [a|1] (1) [a]",  # not at the start
        "a view was installed",
    ],
)
def test_not_a_view(text: str) -> None:
    assert parse_view(text) is None
    assert parse_view_or_merge(text) is None


def test_size_is_never_below_the_names_printed() -> None:
    view, _ = parse_view("[a|1] (1) [a, b, c]")  # type: ignore[misc]
    assert view.members == ("a", "b", "c") and view.size == 3


def test_max_members_cap_keeps_true_size() -> None:
    names = [f"n{i}" for i in range(50)]
    view, end = parse_view(fmt_view("n0", 1, names), max_members=10)  # type: ignore[misc]
    assert view.members == tuple(names[:10])
    assert view.size == 50 and view.truncated
    assert end == len(fmt_view("n0", 1, names))


def test_max_members_cap_without_size_counts_names() -> None:
    names = [f"n{i}(site-id=a, rack-id=b)" for i in range(50)]
    view, _ = parse_view(fmt_view("n0", 1, names, show_size=False), max_members=10)  # type: ignore[misc]
    assert len(view.members) == 10 and view.size == 50 and view.truncated


# ------------------------------------------------------------------------------------------------
# names, addresses, lists


@pytest.mark.parametrize(
    ("name", "stripped", "bare"),
    [
        ("kc-0-4711(v=16.0.8)", "kc-0-4711", "kc-0-4711"),
        ("kc-0-4711(v=16.0.8, s=site1, r=r1, m=m1)", "kc-0-4711", "kc-0-4711"),
        ("kc-0(site-id=s1, rack-id=r1, machine-id=m1)", "kc-0(site-id=s1, rack-id=r1, machine-id=m1)", "kc-0"),
        ("(starting)", "(starting)", "(starting)"),
        ("x(starting)", "x(starting)", "x(starting)"),
        ("kc-0-4711", "kc-0-4711", "kc-0-4711"),
        (" kc-0 ", "kc-0", "kc-0"),
        ("0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90", "0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90", "0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90"),
        ("(v=16.0.8)", "(v=16.0.8)", "(v=16.0.8)"),  # nothing before the suffix: not a suffix
    ],
)
def test_strip_version_and_bare_name(name: str, stripped: str, bare: str) -> None:
    assert strip_version(name) == stripped
    assert bare_name(name) == bare


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.1.2.3:7800", ("10.1.2.3", 7800)),
        ("fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800", ("fe80:0:0:0:5003:8eff:fefa:3e53%tap0", 7800)),
        ("[::1]:7800", ("::1", 7800)),
        ("kc-0.kc-headless", ("kc-0.kc-headless", None)),
        ("10.1.2.3:", ("10.1.2.3:", None)),
    ],
)
def test_split_host_port(address: str, expected: tuple[str, int | None]) -> None:
    assert split_host_port(address) == expected


def test_parse_list() -> None:
    assert parse_list("[a, b(v=16.0.8), c(site-id=1, rack-id=2)] tail") == (
        ["a", "b", "c(site-id=1, rack-id=2)"],
        41,
    )
    assert parse_list("  [x]") == (["x"], 5)
    assert parse_list("[]") == ([], 2)
    assert parse_list("[a, b") == ([], 0)
    assert parse_list("no list") == ([], 0)
    assert parse_list("a [b]", 2) == (["b"], 5)


def test_split_names_unbalanced_parentheses_falls_back_to_plain_split() -> None:
    assert split_names("a(, b, c") == ["a(", "b", "c"]
    assert split_names("a, b(x=1, y=2), c") == ["a", "b(x=1, y=2)", "c"]
    assert split_names("a, b), c") == ["a", "b)", "c"]
    assert split_names("") == []


# ------------------------------------------------------------------------------------------------
# bounded work on hostile input


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def test_repeated_view_id_openers_are_fast() -> None:
    text = "[a|" * 200_000
    assert _timed(lambda: parse_view(text)) < 1.0
    assert parse_view(text) is None
    assert _timed(lambda: parse_view_or_merge("MergeView::" + text)) < 1.0


def test_unbalanced_brackets_are_fast() -> None:
    for text in ("[a|1] (2) [" + "[" * 300_000, "[a|1] (2) [" + "(" * 300_000, "]" * 300_000, "[" * 300_000):
        assert _timed(lambda: parse_view(text)) < 1.0
        assert _timed(lambda: parse_list(text)) < 1.0


def test_huge_view_is_capped_and_fast() -> None:
    names = [f"kc-{i}-{i % 65535}(site-id=s1, rack-id=r{i}, machine-id=m1)" for i in range(300_000)]
    text = fmt_view("kc-0-0(v=16.0.8)", 7, names)
    start = time.perf_counter()
    view, end = parse_view(text)  # type: ignore[misc]
    assert time.perf_counter() - start < 1.0
    assert view.size == 300_000 and len(view.members) == 5000 and view.truncated
    assert view.members[4999] == names[4999]
    assert end == len(text)


def test_huge_subgroup_count_is_bounded() -> None:
    subs = ", ".join(f"[n{i}|1] (1) [n{i}]" for i in range(50_000))
    text = f"MergeView::[n0|2] (1) [n0], 50000 subgroups: {subs}"
    start = time.perf_counter()
    got = parse_view_or_merge(text)
    assert time.perf_counter() - start < 1.0
    assert got is not None and len(got[1]) == 1000


# ------------------------------------------------------------------------------------------------
# properties

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SIMPLE = st.tuples(st.sampled_from(_ALNUM), st.text(alphabet=_ALNUM + "._-", max_size=20)).map("".join)
_UUID = st.uuids().map(str)
_IPV6 = st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.integers(1, 65535)).map(
    lambda t: f"fe80:0:0:0:{t[0]:x}:{t[1]:x}:fefa:3e53%tap0:{t[2]}"
)
_VALUE = st.text(alphabet=_ALNUM + "._-", min_size=1, max_size=8)
_TOPOLOGY = st.tuples(_SIMPLE, _VALUE, _VALUE, _VALUE).map(
    lambda t: f"{t[0]}(site-id={t[1]}, rack-id={t[2]}, machine-id={t[3]})"
)
_VERSIONED = st.tuples(_SIMPLE, st.integers(8, 16), st.integers(0, 9), st.integers(0, 40)).map(
    lambda t: f"{t[0]}(v={t[1]}.{t[2]}.{t[3]})"
)
_PLACEHOLDER = st.sampled_from(["(starting)", "x(starting)"])
NAMES = st.one_of(_SIMPLE, _UUID, _IPV6, _TOPOLOGY, _VERSIONED, _PLACEHOLDER)
MEMBER_LISTS = st.lists(NAMES, min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(creator=NAMES, vid=st.integers(0, 10**12), members=MEMBER_LISTS, show_size=st.booleans())
def test_view_round_trip(creator: str, vid: int, members: list[str], show_size: bool) -> None:
    text = fmt_view(creator, vid, members, show_size=show_size)
    got = parse_view(text)
    assert got is not None
    view, end = got
    assert end == len(text)
    assert view.creator == strip_version(creator)
    assert view.id == vid
    assert view.members == tuple(strip_version(m) for m in members)
    assert view.size == len(members)
    assert view.truncated is False


@settings(max_examples=200, deadline=None)
@given(members=st.lists(NAMES, min_size=1, max_size=60), limit=st.integers(1, 25))
def test_view_truncation_round_trip(members: list[str], limit: int) -> None:
    text = fmt_view("c", 3, members, limit=limit)
    view, end = parse_view(text)  # type: ignore[misc]
    assert end == len(text)
    shown = members[:limit]
    assert view.members == tuple(strip_version(m) for m in shown)
    assert view.size == len(members)
    assert view.truncated == (len(members) > limit)


@settings(max_examples=200, deadline=None)
@given(members=st.lists(NAMES, min_size=1, max_size=40), cap=st.integers(1, 40))
def test_view_member_cap_round_trip(members: list[str], cap: int) -> None:
    view, _ = parse_view(fmt_view("c", 1, members), max_members=cap)  # type: ignore[misc]
    assert view.members == tuple(strip_version(m) for m in members[:cap])
    assert view.size == len(members)
    assert view.truncated == (len(members) > cap)


@settings(max_examples=200, deadline=None)
@given(
    creator=NAMES,
    members=MEMBER_LISTS,
    subgroups=st.lists(st.tuples(NAMES, st.integers(0, 99), MEMBER_LISTS), min_size=0, max_size=5),
    prefix=st.sampled_from(["", "ISPN000093: Received new, MERGED cluster view for channel ISPN: "]),
)
def test_merge_view_round_trip(
    creator: str, members: list[str], subgroups: list[tuple[str, int, list[str]]], prefix: str
) -> None:
    subs = [fmt_view(c, i, m) for c, i, m in subgroups]
    text = prefix + fmt_merge(fmt_view(creator, 7, members), subs) + " trailing words"
    got = parse_view_or_merge_at(text, len(prefix))
    assert got is not None
    view, parsed_subs, end, is_merge = got
    assert is_merge
    assert view.members == tuple(strip_version(m) for m in members)
    assert [(s.creator, s.id, s.members) for s in parsed_subs] == [
        (strip_version(c), i, tuple(strip_version(x) for x in m)) for c, i, m in subgroups
    ]
    assert text[end:] == " trailing words"


_HOSTILE = st.lists(
    st.sampled_from(list("[]|(), .:=a1\n") + ["MergeView::", " subgroups: ", " ...", "[a|1] (2) [", ", 2 subgroups: "]),
    max_size=120,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_HOSTILE, st.text(max_size=300)), pos=st.integers(0, 50))
def test_never_raises(text: str, pos: int) -> None:
    for fn in (parse_view, parse_view_or_merge):
        fn(text)  # type: ignore[operator]
    parse_view_at(text, pos)
    parse_view_or_merge_at(text, pos)
    parse_view_id_at(text, pos)
    items, end = parse_list(text, pos)
    assert 0 <= end <= len(text) or (end == pos and not items)
    strip_version(text)
    bare_name(text)
    split_host_port(text)
    split_names(text)
    got = parse_view_at(text, pos)
    if got is not None:
        view, end = got
        assert pos < end <= len(text)
        assert len(view.members) <= 5000
        assert view.size >= len(view.members)
