"""Every scenario in sample_logs/ against its hand-written ground truth and its golden output.

``truth.json`` (written by hand from the scenario, see sample_logs/README.md) states the verdict,
the exit code, the final clusters per channel and the diagnostic rules that must (or must not)
fire. ``expected.json`` is the reviewed golden output (regenerate with
``python tests/regen_goldens.py`` and review the diff)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES, run_jgview

SCENARIOS = sorted(p.parent for p in SAMPLES.glob("*/truth.json"))


def _truth(d: Path) -> dict:
    return json.loads((d / "truth.json").read_text())


def _run(d: Path) -> tuple[dict, int, str]:
    truth = _truth(d)
    proc = run_jgview(["--json", *truth.get("args", []), str(d)], timeout=120)
    assert proc.stdout, proc.stderr.decode()
    return json.loads(proc.stdout), proc.returncode, proc.stderr.decode()


@pytest.fixture(scope="module")
def outputs():
    return {}


def _get(outputs: dict, d: Path):
    if d not in outputs:
        outputs[d] = _run(d)
    return outputs[d]


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_scenario_matches_truth(scenario: Path, outputs):
    truth = _truth(scenario)
    doc, code, err = _get(outputs, scenario)
    assert "Traceback" not in err
    assert doc["verdict"] == truth["verdict"], doc["summary"]
    assert code == truth["exit"], (code, err)
    by_channel: dict[str, list] = {}
    for ch in doc["channels"]:
        by_channel.setdefault(ch["channel"], []).extend(sorted(c["members"]) for c in ch["clusters"])
    for name, want in truth.get("channels", {}).items():
        assert name in by_channel, (name, list(by_channel))
        got = sorted(by_channel[name])
        assert got == sorted(sorted(c) for c in want["clusters"]), name
        verdicts = {c["verdict"] for c in doc["channels"] if c["channel"] == name}
        assert want["verdict"] in verdicts
    fired = {f["id"].split("-", 1)[0] for f in doc["findings"] if f["severity"] in ("error", "warning")}
    for rule in truth.get("findings", []):
        assert rule in fired, (rule, sorted(fired))
    no = truth.get("no_findings", [])
    if no == ["*"]:
        assert not fired, sorted(fired)
    else:
        for rule in no:
            assert rule not in fired, (rule, sorted(fired))


@pytest.mark.parametrize("scenario", [d for d in SCENARIOS if (d / "expected.json").exists()], ids=lambda p: p.name)
def test_scenario_golden_json(scenario: Path, outputs):
    from golden_json import normalize_json

    doc, _, _ = _get(outputs, scenario)
    want = json.loads((scenario / "expected.json").read_text())
    assert normalize_json(doc, scenario) == want
