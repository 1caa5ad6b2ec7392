"""Golden JSON outputs beside the samples: ``sample_logs/<scenario>/expected.json``.

``python tests/golden_json.py [SCENARIO...]`` regenerates them with the installed jgview; review
the diff before committing. Paths are made relative to the scenario and the version is dropped so
that the goldens do not depend on where the repository lives."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import SAMPLES, run_jgview  # noqa: E402


def normalize_json(doc: dict[str, Any], scenario: Path) -> dict[str, Any]:
    prefix = str(scenario) + "/"

    def fix(x: Any) -> Any:
        if isinstance(x, str):
            return x.replace(prefix, "")
        if isinstance(x, list):
            return [fix(v) for v in x]
        if isinstance(x, dict):
            return {k: fix(v) for k, v in x.items() if k != "jgview_version"}
        return x

    return fix(doc)


def regenerate(scenario: Path) -> None:
    truth = json.loads((scenario / "truth.json").read_text())
    proc = run_jgview(["--json", *truth.get("args", []), str(scenario)], timeout=300)
    doc = json.loads(proc.stdout)
    (scenario / "expected.json").write_text(json.dumps(normalize_json(doc, scenario), indent=2, ensure_ascii=False) + "\n")
    print(f"{scenario.name}: {doc['verdict']} (exit {proc.returncode})")


if __name__ == "__main__":
    names = sys.argv[1:]
    for d in sorted(p.parent for p in SAMPLES.glob("*/truth.json")):
        if not names or d.name in names:
            regenerate(d)
