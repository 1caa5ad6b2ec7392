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


def load_bench(name: str):
    """``bench/NAME.py`` as a module (the benchmark scripts are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


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


class InProcessResult:
    def __init__(self, stdout: str, stderr: str, exit_code: int, exception: BaseException | None):
        self.stdout, self.stderr, self.exit_code, self.exception = stdout, stderr, exit_code, exception
        self.output = stdout + stderr


def invoke_cli(args: list[str], env: dict | None = None, input: bytes | str | None = None) -> InProcessResult:
    """``jgview ARGS`` in this process (fast; the CLI tests run the installed script instead).

    Uses typer's test-runner isolation (streams and environment) around ``jgview.cli.cli``."""
    from typer.testing import CliRunner

    from jgview.cli import cli

    runner = CliRunner()
    code, exc = 0, None
    with runner.isolation(input=input, env={"NO_COLOR": "1", **(env or {})}) as streams:
        try:
            cli.main(args=list(args), prog_name="jgview")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception as e:  # noqa: BLE001 - reported to the test
            code, exc = 1, e
        out = streams[0].getvalue().decode("utf-8", "replace")
        err = streams[1].getvalue().decode("utf-8", "replace") if len(streams) > 1 and streams[1] is not None else ""
    return InProcessResult(out, err, code, exc)


def use_scanner(name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the fast reader use scanner ``name`` (``native``: ``jgview._scan``; ``grep``: GNU
    grep), or skip the test when this machine lacks it (the scanner fixtures of the fast-reader
    tests)."""
    from jgview import fastscan

    if name == "native" and not fastscan.native_available():
        pytest.skip("the native scanner is not built")
    if name == "grep" and not fastscan.available():
        pytest.skip("GNU grep is not installed")
    monkeypatch.setenv(fastscan.ENV_SCANNER, name)
    return name
