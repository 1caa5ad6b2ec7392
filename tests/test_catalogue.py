"""Tests of the catalogue itself: its samples, its prefilter and its patterns' shape."""

from __future__ import annotations

import re
import time

import pytest

from jgview import catalogue
from jgview.catalogue import (
    CANDIDATE,
    CANDIDATE_KEYWORDS,
    CANDIDATE_WORDS,
    IGNORED,
    PATTERNS,
    Wording,
    by_id,
    is_candidate,
)
from jgview.models import Kind

ALL = PATTERNS + IGNORED
SAMPLES = [pytest.param(w, s, id=f"{w.id}-{i}") for w in ALL for i, s in enumerate(w.samples)]


def test_ids_unique_and_well_formed() -> None:
    ids = [w.id for w in ALL]
    assert len(ids) == len(set(ids))
    for w in ALL:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", w.id), w.id
        assert w.samples, w.id
        assert w.versions, w.id
        assert w.keyword, w.id
        assert by_id(w.id) is w


def test_every_kind_has_a_wording() -> None:
    kinds = {w.kind for w in PATTERNS}
    assert set(Kind) <= kinds, set(Kind) - kinds


def test_ignored_wordings_have_no_kind() -> None:
    assert all(w.kind is None for w in IGNORED)
    assert all(isinstance(w.kind, Kind) for w in PATTERNS)


@pytest.mark.parametrize(("wording", "sample"), SAMPLES)
def test_sample_matches_its_pattern_and_the_prefilter(wording: Wording, sample: str) -> None:
    m = wording.regex.search(sample)
    assert m is not None, f"{wording.id} does not match its own sample"
    matched = sample[m.start() : m.end()]
    # the keyword (checked with `in` before the regex runs) is inside every match
    assert wording.keyword in matched
    assert re.search(CANDIDATE, sample)
    if wording.id in catalogue._NEEDS_ANOTHER_KEYWORD:
        # its keyword makes no line a candidate (a symptom word does, on a Keycloak event line)
        assert wording.keyword not in CANDIDATE_KEYWORDS
        return
    # the prefilter passes on the matched text alone, not thanks to the rest of the sample line
    assert is_candidate(matched) or is_candidate(sample[max(0, m.start() - 2) : m.end() + 200])
    assert is_candidate(sample)


def test_prefilter_matches_the_regex_form() -> None:
    lines = [s for w in ALL for s in w.samples] + [
        "2024-05-01 10:00:00,123 INFO  [org.keycloak.services] (main) KC-SERVICES0009: Added user 'admin'",
        "\tat org.jboss.threads.EnhancedQueueExecutor$ThreadBody.run(EnhancedQueueExecutor.java:1478)",
        "",
    ]
    for line in lines:
        assert is_candidate(line) == any(k in line for k in CANDIDATE_KEYWORDS)
        if is_candidate(line):
            assert re.search(CANDIDATE, line)


@pytest.mark.parametrize(
    "line",
    [
        "2024-05-01 10:00:00,123 INFO  [org.keycloak.services] (main) KC-SERVICES0009: Added user 'admin' to realm 'master'",
        "07:42:51,000 INFO  [org.jboss.as.clustering.infinispan] (ServerService Thread Pool -- 60) "
        "WFLYCLINF0002: Started work cache from keycloak container",
        "2024-05-01 10:00:00,123 DEBUG [org.hibernate.SQL] (executor-thread-1) select u1_0.id from user_entity u1_0",
        "\tat org.jboss.threads.EnhancedQueueExecutor$ThreadBody.run(EnhancedQueueExecutor.java:1478)",
        "2024-05-01 10:00:00,123 INFO  [io.quarkus] (main) Keycloak 24.0.1 on JVM started in 9.1s.",
    ],
)
def test_ordinary_lines_are_not_candidates(line: str) -> None:
    assert not is_candidate(line)


def test_prefilter_is_cheap() -> None:
    line = "2024-05-01 10:00:00,123 DEBUG [org.hibernate.SQL] (executor-thread-1) select u1_0.id from user_entity u1_0 " * 2
    start = time.perf_counter()
    for _ in range(20_000):
        is_candidate(line)
    per_line = (time.perf_counter() - start) / 20_000
    assert per_line < 50e-6  # ~2 µs here; generous for slow CI machines


def test_every_keyword_contains_a_candidate_word() -> None:
    """match ⊇ keyword ⊇ candidate word: a line with any match always passes the prefilter."""
    for w in ALL:
        word = catalogue.CANDIDATE_WORD_OF[w.id]
        assert word in CANDIDATE_WORDS and word in w.keyword, w.id


def test_candidate_words_are_literals_of_the_regex() -> None:
    assert CANDIDATE == "|".join(re.escape(w) for w in CANDIDATE_WORDS)
    assert len(CANDIDATE_WORDS) < 60  # "few literal alternatives"


def test_patterns_use_only_bounded_repetition() -> None:
    """No unbounded `*`/`+` (backtracking over a long line); `{m,n}` bounds everywhere."""
    unbounded = re.compile(r"(?<!\\)[*+](?![^\[]*\])")
    for w in ALL:
        patterns = [w.regex.pattern] + [x.pattern for x in w.extras] + ([w.after.pattern] if w.after else [])
        for pattern in patterns:
            # strip character classes, where * and + are literal
            bare = re.sub(r"\[(?:\\.|[^\]\\])*\]", "", pattern)
            assert not unbounded.search(bare), (w.id, pattern)


def test_hostile_lines_stay_fast_for_every_pattern() -> None:
    hostile = [
        "a" * 200_000,
        "[" * 100_000 + "]" * 100_000,
        ", " * 100_000,
        "(" * 100_000,
        "x: " * 70_000,
    ]
    for w in ALL:
        for text in hostile:
            line = w.keyword + text + w.keyword
            start = time.perf_counter()
            for _ in w.regex.finditer(line):
                pass
            assert time.perf_counter() - start < 0.5, w.id


def test_module_exports() -> None:
    for name in catalogue.__all__:
        assert hasattr(catalogue, name), name
