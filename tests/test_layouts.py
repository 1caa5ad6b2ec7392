"""Every sample of every layout file parses into the fields it names, with that layout."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jgview.lazy import LazyPattern
from jgview.models import SourceInfo
from jgview.records import ReadOptions, iter_records, load_layouts

LAYOUT_DIR = Path(__file__).resolve().parent.parent / "jgview" / "layouts"


def _tz(text: str) -> timezone:
    sign = -1 if text[0] == "-" else 1
    h, m = text[1:].split(":")
    return timezone(sign * timedelta(hours=int(h), minutes=int(m)))


def _cases():
    for lay in load_layouts():
        for i, sample in enumerate(lay.samples):
            yield pytest.param(lay.name, sample, id=f"{lay.name}-{i}")


def test_packaged_layouts_compile_and_load_lazily():
    """The packaged layouts' patterns are compiled when first used (start-up time): every one of
    them must compile, and a bad pattern in a layout directory of one's own is reported at load."""
    for lay in load_layouts():
        for pat in (*lay.patterns, *([lay.next_pattern] if lay.next_pattern else [])):
            assert isinstance(pat, LazyPattern)
            assert isinstance(pat.compiled(), re.Pattern), (lay.name, pat.pattern)
            assert pat.groupindex == pat.compiled().groupindex


def test_a_bad_pattern_in_a_layout_directory_is_reported_at_load(tmp_path):
    data = json.loads((LAYOUT_DIR / "keycloak.json").read_text(encoding="utf-8"))
    data["regex"] = {"main": "^(?P<body>[unclosed"}
    (tmp_path / "keycloak.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="bad layout file keycloak.json"):
        load_layouts(tmp_path)


def test_layout_files_are_well_formed():
    files = sorted(LAYOUT_DIR.glob("*.json"))
    assert files, "no layout files"
    names = set()
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["name"] == path.stem, f"{path.name}: name must equal the file name"
        assert data["description"].strip()
        assert len(data["samples"]) >= 2, f"{path.name}: give at least two samples"
        names.add(data["name"])
    assert {lay.name for lay in load_layouts()} == names
    assert {
        "wildfly",
        "keycloak",
        "infinispan",
        "infinispan15",
        "logback",
        "jul",
        "keycloak-json",
        "ecs",
        "json",
    } <= names


@pytest.mark.parametrize(("name", "sample"), list(_cases()))
def test_layout_sample(name, sample):
    lines = sample["lines"] if "lines" in sample else [sample["line"]]
    o = sample.get("options", {})
    opts = ReadOptions(
        date=date.fromisoformat(o["date"]) if "date" in o else None,
        tz=_tz(o["tz"]) if "tz" in o else timezone.utc,
    )
    info = SourceInfo(name="sample")
    recs = list(iter_records(enumerate(lines, 1), info, lambda s: True, opts))
    assert len(recs) == 1, [r.message for r in recs]
    rec = recs[0]
    assert rec.layout == name
    assert rec.lineno == 1
    for key, want in sample["fields"].items():
        got = getattr(rec, key)
        if key == "time" and want is not None:
            assert got is not None and got.tzinfo is not None
            assert got == datetime.fromisoformat(want), (got, want)
        else:
            assert got == want, f"{key}: {got!r} != {want!r}"
