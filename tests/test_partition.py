"""The analysis' partition keeps its components between changes: it must always give what
computing them from scratch gives.

``analysis._Partition`` recomputes only the components a change can touch (those holding a view
key whose pods changed or whose view lists a pod that moved) and keeps the rest, so that a step
costs the change and not the pods (500 pods starting alone one by one would cost 500²). The
oracle below is the straightforward union-find over every view key (the method as it was before,
``self`` → ``part``). Hypothesis drives random moves of up to 12 pods between overlapping,
stale, truncated and one-member views, several moves between two queries, and checks after each
query: the same components, the fresh ones exactly those that are not the previous query's,
``removed`` exactly the keys gone, and each component's pods (``groups``, kept for the
components kept).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jgview.analysis import _Partition
from jgview.models import View

PODS = [f"p{i}" for i in range(12)]


class _History:
    """What the partition asks of a History: the pods a view lists (members are pod names)."""

    def view_pods(self, v: View) -> frozenset[str]:
        return frozenset(m for m in v.members if not m.startswith("gone-"))  # ("gone-1": no known pod)


def _oracle(part: Any) -> set[frozenset[tuple[str, int]]]:
    keys = list(part.by_key)
    parent = {k: k for k in keys}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    view_pods = part.h.view_pods
    for k1 in keys:
        obs1 = part.by_key[k1]
        for q in view_pods(part.view_of_key[k1]):
            k2 = part.key_of.get(q)
            if k2 is None or k2 == k1:
                continue
            r1, r2 = find(k1), find(k2)
            if r1 == r2:
                continue
            v2 = part.view_of_key[k2]
            if v2.truncated or not obs1.isdisjoint(view_pods(v2)):
                parent[max(r1, r2)] = min(r1, r2)
    comps: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for k in keys:
        comps.setdefault(find(k), set()).add(k)
    return {frozenset(c) for c in comps.values()}


VIEWS = st.builds(
    lambda creator, vid, members, truncated: View(creator=creator, id=vid, members=tuple(members),
                                                  size=len(members) + (3 if truncated else 0), truncated=truncated),
    st.sampled_from(PODS[:6]),
    st.integers(0, 3),
    st.lists(st.sampled_from(PODS + ["gone-1"]), min_size=1, max_size=7, unique=True),
    st.booleans(),
)
MOVE = st.one_of(st.tuples(st.just("set"), st.sampled_from(PODS), VIEWS), st.tuples(st.just("drop"), st.sampled_from(PODS)))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(MOVE, min_size=0, max_size=5), min_size=1, max_size=25))
def test_kept_components_equal_components_from_scratch(batches: list[list[tuple]]) -> None:
    part = _Partition(_History())  # type: ignore[arg-type]
    before: list[list[tuple[str, int]]] = []
    keys_before: set[tuple[str, int]] = set()
    for batch in batches:
        for move in batch:
            if move[0] == "set":
                part.set(move[1], move[2])
            else:
                part.drop(move[1])
        comps = part.components()
        assert {frozenset(c) for c in comps} == _oracle(part)
        assert all(len(c) == len(set(c)) for c in comps)
        kept = [c for c in comps if any(c is b for b in before)]
        assert sorted(map(id, kept + part.fresh)) == sorted(map(id, comps))  # fresh = the new ones
        assert set(part.removed) >= keys_before - set(part.by_key) and not set(part.removed) & set(part.by_key)
        for c in comps:
            assert sorted(c, key=list(part.by_key).index) == c  # in the order the keys appeared
        pods = [frozenset().union(*(part.by_key[k] for k in c)) for c in comps]
        assert sorted(part.groups(), key=sorted) == sorted(pods, key=sorted)
        before, keys_before = comps, set(part.by_key)


def test_a_thousand_pods_starting_alone_cost_the_changes_not_the_pods() -> None:
    """Each pod alone in its own view, one after the other: each query recomputes one component
    (the old way recomputed all of them: 1000²/2 key visits)."""
    part = _Partition(_History())  # type: ignore[arg-type]
    for i in range(1000):
        p = f"pod-{i}"
        part.set(p, View(creator=p, id=0, members=(p,), size=1))
        assert len(part.components()) == i + 1 and part.fresh == [[(p, 0)]]
    part.set("pod-0", View(creator="pod-0", id=1, members=("pod-0", "pod-1"), size=2))
    part.set("pod-1", View(creator="pod-0", id=1, members=("pod-0", "pod-1"), size=2))
    assert len(part.components()) == 999 and part.fresh == [[("pod-0", 1)]]
    assert sorted(part.removed) == [("pod-0", 0), ("pod-1", 0)]
