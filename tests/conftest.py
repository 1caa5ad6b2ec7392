"""Shared fixtures: the installed ``jgview`` as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"


def jgview_exe() -> list[str]:
    """The console script installed beside this interpreter (falls back to ``python -m jgview``)."""
    cand = Path(sys.executable).parent / "jgview"
    if cand.exists():
        return [str(cand)]
    found = shutil.which("jgview")
    return [found] if found else [sys.executable, "-m", "jgview"]


def run_jgview(args: list[str], *, input: bytes | None = None, timeout: float = 60, env: dict | None = None,
               cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.pop("JGVIEW_DEBUG", None)
    e["NO_COLOR"] = "1"
    e["COLUMNS"] = "160"
    if env:
        e.update(env)
    return subprocess.run(jgview_exe() + args, input=input, capture_output=True, timeout=timeout, env=e,
                          cwd=cwd, stdin=None if input is not None else subprocess.DEVNULL)


@pytest.fixture
def jgview():
    return run_jgview
