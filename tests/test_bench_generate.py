"""The benchmark's log generator (bench/generate.py): its output is what its truth.json claims.

Generator invariants (sizes, line counts, the grep-matching membership lines, the views the text
shows, determinism) and, end to end, that ``jgview --json`` on ~200 KB of generated logs gives
the verdict and clusters of the ground truth."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import load_bench

ROOT = Path(__file__).resolve().parent.parent


gen = load_bench("generate")

SIZE = 200 * 1024
VIEW_LINE = re.compile(r"ISPN0000(?P<id>93|94): Received new(?:, MERGED)? cluster view for channel (?P<ch>\S+): (?:MergeView::)?"
                       r"\[(?P<creator>[^|\]]+)\|(?P<vid>\d+)\] \((?P<n>\d+)\) \[(?P<members>[^\]]*)\]")


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def _generate(tmp_path: Path, **kw) -> tuple[Path, dict]:
    out = tmp_path / "out"
    kw.setdefault("size", SIZE)
    kw.setdefault("jobs", 1)
    truth = gen.generate(str(out), **kw)
    assert json.loads((out / "truth.json").read_text()) == truth
    return out, truth


def _pod_of(line: str, single_file: bool, default: str) -> str:
    if single_file:
        m = re.match(r"\[pod/([^/]+)/", line)
        assert m, line[:120]
        return m.group(1)
    return default


CASES = [
    dict(layout="keycloak", scenario="healthy"),
    dict(layout="keycloak", scenario="split", gz=True),
    dict(layout="keycloak", scenario="healed", single_file=True),
    dict(layout="wildfly", scenario="healthy", single_file=True, gz=True),
    dict(layout="wildfly", scenario="split"),
    dict(layout="wildfly", scenario="healed", pods_n=4),
    dict(layout="mixed", scenario="healed", pods_n=5),
    dict(layout="mixed", scenario="split", single_file=True),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_truth_matches_the_text(tmp_path, case):
    out, truth = _generate(tmp_path, **case)
    single = case.get("single_file", False)
    gz = case.get("gz", False)
    n_pods = case.get("pods_n", 3)
    assert len(truth["files"]) == (1 if single else n_pods)
    total_bytes = total_lines = matching = 0
    last_view: dict[str, tuple[str, int, list[str]]] = {}
    longest = 0
    for name in truth["files"]:
        path = out / name
        assert name.endswith(".log.gz" if gz else ".log")
        assert (path.read_bytes()[:2] == b"\x1f\x8b") is gz
        text = _text(path)
        total_bytes += len(text.encode("utf-8"))
        total_lines += text.count("\n")
        assert text.endswith("\n")
        for line in text.splitlines():
            longest = max(longest, len(line))
            if gen.GREP_RE.search(line):
                matching += 1
            m = VIEW_LINE.search(line)
            if m:
                members = m.group("members").split(", ")
                assert int(m.group("n")) == len(members)  # no pod count here needs truncation
                pod = _pod_of(line, single, name.split(".")[0])
                if single:
                    # kubectl --prefix --timestamps: RFC3339NanoFixed after the prefix
                    assert re.match(r"\[pod/[^/]+/keycloak\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ", line)
                prev = last_view.get(pod)
                vid = int(m.group("vid"))
                if prev is not None and prev[0] == m.group("creator"):
                    assert vid >= prev[1]  # a coordinator's view ids only grow
                last_view[pod] = (m.group("creator"), vid, members)
    assert total_bytes == truth["bytes"]
    assert total_lines == truth["lines"]
    assert matching == truth["membership_lines"] > 0
    assert truth["membership_lines_all"] >= truth["membership_lines"]
    assert abs(truth["bytes"] - SIZE) < 0.2 * SIZE
    assert longest >= min(100 * 1024, SIZE // 20)  # the very long line is there
    # the final views the pods logged are exactly the truth's clusters
    assert sorted(p["pod"] for p in truth["pods"]) == sorted(last_view)
    finals = sorted({tuple(sorted(v[2])) for v in last_view.values()})
    assert [list(c) for c in finals] == truth["clusters"]
    assert truth["verdict"] == case["scenario"]
    if case["scenario"] == "split":
        assert all(len(c) == 1 for c in truth["clusters"]) and len(truth["clusters"]) == n_pods
    else:
        assert len(truth["clusters"]) == 1 and len(truth["clusters"][0]) == n_pods


def test_healed_shows_a_partition_and_a_merge(tmp_path):
    out, truth = _generate(tmp_path, layout="keycloak", scenario="healed", pods_n=3)
    text = "".join(_text(out / f) for f in truth["files"])
    merges = [ln for ln in text.splitlines() if "ISPN000093" in ln]
    assert len(merges) == 3  # one MergeView per pod
    assert all(", 2 subgroups: " in ln for ln in merges)
    assert "ISPN000314: Lost at least half of the stable members" in text
    assert "ISPN100001: Node " in text


def test_split_is_every_pod_creating_its_own_cluster(tmp_path):
    out, truth = _generate(tmp_path, layout="wildfly", scenario="split", pods_n=3)
    for f in truth["files"]:
        text = _text(out / f)
        assert text.count("no members discovered after") == 1
        assert "creating cluster as first member" in text  # JGroups 4.0.16–4.1.7 wording (WildFly)
        assert "ISPN000093" not in text


def test_same_seed_same_bytes_other_seed_other_names(tmp_path):
    def digest(sub: str, seed: int) -> tuple[str, dict]:
        out, truth = _generate(tmp_path / sub, size=64 * 1024, seed=seed)
        h = hashlib.sha256()
        for f in truth["files"]:
            h.update((out / f).read_bytes())
        return h.hexdigest(), truth

    a, ta = digest("a", 7)
    b, tb = digest("b", 7)
    c, tc = digest("c", 8)
    assert a == b and ta["clusters"] == tb["clusters"]
    assert a != c and ta["clusters"] != tc["clusters"]


def test_membership_rate_is_about_the_requested_share(tmp_path):
    _out, truth = _generate(tmp_path, size=24 << 20, scenario="healthy")
    rate = truth["membership_lines"] / truth["lines"]
    assert 0.0007 < rate < 0.0014


def test_many_pods_print_truncated_jgroups_views(tmp_path):
    out, truth = _generate(tmp_path, pods_n=23, size=600 * 1024, scenario="healthy")
    text = _text(out / "keycloak-0.log")
    assert re.search(r"\(23\) \[(?:[^,\]]+, ){19}[^,\]]+ \.\.\.\]", text)  # 20 names, then " ..."
    assert len(truth["clusters"][0]) == 23


def test_cli_and_bad_arguments(tmp_path):
    assert gen.parse_size("200K") == 200 * 1024
    assert gen.parse_size("1.5G") == 3 * (1 << 29)
    with pytest.raises(ValueError):
        gen.parse_size("lots")
    with pytest.raises(ValueError):
        gen.generate(str(tmp_path / "x"), SIZE, pods_n=1, scenario="split")
    rc = gen.main(["--size", "20K", "--pods", "2", "-o", str(tmp_path / "cli"), "--jobs", "1"])
    assert rc == 0 and (tmp_path / "cli" / "truth.json").is_file()
    assert gen.main(["--size", "nope", "-o", str(tmp_path / "bad")]) == 2


# --------------------------------------------------------------------------------------------
# end to end: jgview --json on the generated logs gives the truth


def _jgview_json(paths: list[Path]) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "jgview", "--json", *map(str, paths)],
                          capture_output=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    return proc.returncode, json.loads(proc.stdout), proc.stderr.decode("utf-8", "replace")


E2E = [
    dict(layout="keycloak", scenario="healthy"),
    dict(layout="keycloak", scenario="split"),
    dict(layout="wildfly", scenario="healed", gz=True),
    dict(layout="mixed", scenario="healed", single_file=True, pods_n=4),
]


@pytest.mark.parametrize("case", E2E, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_jgview_finds_the_ground_truth(tmp_path, case):
    out, truth = _generate(tmp_path, **case)
    rc, doc, err = _jgview_json([out / f for f in truth["files"]])
    clusters = sorted(sorted(c["members"]) for ch in doc["channels"] for c in ch["clusters"])
    assert (doc["verdict"], clusters) == (truth["verdict"], truth["clusters"])
    assert doc["stats"]["lines"] == truth["lines"]
    assert rc in (0, 1), f"exit code {rc} on valid logs: {err.strip()[-300:]}"
    if truth["verdict"] == "split":
        assert rc == 1
