"""Regenerate the golden outputs beside the samples, then review the diff before committing.

    python tests/regen_goldens.py --md [SCENARIO...]   # sample_logs/<scenario>/expected.md

``--md`` writes the Markdown report (``jgview report --format md -o -`` with the scenario's
``truth.json`` args) of :data:`MD_SCENARIOS` (or the scenarios named). Paths are made relative to
the scenario so that the goldens do not depend on where the repository lives.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import SAMPLES, run_jgview  # noqa: E402

MD_SCENARIOS = ["seed-split", "seed-fix", "partition-merge"]
"""Scenarios with a Markdown golden (``expected.md``)."""


def scenario_args(scenario: Path) -> list[str]:
    truth = scenario / "truth.json"
    return list(json.loads(truth.read_text()).get("args", [])) if truth.exists() else []


def normalize_md(text: str, scenario: Path) -> str:
    """Paths relative to the scenario directory."""
    return text.replace(str(scenario) + "/", "")


def md_report_args(scenario: Path) -> list[str]:
    return ["report", *scenario_args(scenario), "--format", "md", "-o", "-", str(scenario)]


def markdown_of(scenario: Path, in_process: bool = False) -> tuple[str, int, str]:
    """(normalized Markdown, exit code, stderr) of the scenario's report: by the installed
    ``jgview`` (default), or in this process through click's test runner (fast, for tests)."""
    if in_process:
        from conftest import invoke_cli

        res = invoke_cli(md_report_args(scenario), env={"COLUMNS": "160"})
        return normalize_md(res.stdout, scenario), res.exit_code, res.stderr
    proc = run_jgview(md_report_args(scenario), timeout=300)
    return normalize_md(proc.stdout.decode("utf-8"), scenario), proc.returncode, proc.stderr.decode("utf-8", "replace")


def regenerate_md(scenario: Path) -> None:
    text, code, err = markdown_of(scenario)
    if not text.strip():
        raise SystemExit(f"{scenario.name}: no Markdown (exit {code}): {err.strip()[:500]}")
    (scenario / "expected.md").write_text(text, encoding="utf-8")
    print(f"{scenario.name}: expected.md written (exit {code})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--md", action="store_true", help="Markdown reports (expected.md)")
    ap.add_argument("scenarios", nargs="*", help="scenario directory names (default: all with goldens of that kind)")
    args = ap.parse_args(argv)
    if not args.md:
        ap.error("say which goldens to regenerate (--md)")
    names = args.scenarios or MD_SCENARIOS
    for name in names:
        d = SAMPLES / name
        if not d.is_dir():
            print(f"{name}: no such scenario under {SAMPLES}", file=sys.stderr)
            continue
        regenerate_md(d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
