#!/usr/bin/env python3
"""Run the native scanner's tests with AddressSanitizer and UBSan (not part of the test suite).

    python scripts/asan_scan.py                 # tests/test_scan.py and tests/test_fastscan.py
    python scripts/asan_scan.py -- -k gzip      # extra pytest arguments after --

``jgview/_scan.c`` is compiled with ``-fsanitize=address,undefined`` into a temporary directory (the
installed extension is not touched), loaded as ``jgview._scan`` in a child Python started with the
sanitizer runtimes preloaded, and pytest runs there: every out-of-bounds read of the SIMD loops
(64-byte loads near the end of a buffer), use after free or undefined shift is reported and stops
the run. Needs gcc with libasan and libubsan (Debian: gcc). No shell: commands are argument lists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import importlib.machinery, importlib.util, sys
spec = importlib.util.spec_from_file_location("jgview._scan", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
sys.modules["jgview._scan"] = mod
import jgview
jgview._scan = mod
import pytest
sys.exit(pytest.main(sys.argv[2:]))
"""


def main(argv: list[str]) -> int:
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    with tempfile.TemporaryDirectory(prefix="jgview-asan-") as tmp:
        so = Path(tmp) / ("_scan" + sysconfig.get_config_var("EXT_SUFFIX"))
        cc = ["gcc", "-shared", "-fPIC", "-O1", "-g", "-fno-omit-frame-pointer",
              "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
              "-I" + sysconfig.get_paths()["include"], str(ROOT / "jgview" / "_scan.c"), "-o", str(so)]
        r = subprocess.run(cc, check=False)
        if r.returncode:
            print("asan_scan: the sanitizer build failed", file=sys.stderr)
            return 2
        libs = []
        for lib in ("libasan.so", "libubsan.so"):
            out = subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True, check=False)
            libs.append(out.stdout.strip())
        env = dict(os.environ, LD_PRELOAD=":".join(libs),
                   ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
        tests = ["-q", "-p", "no:cacheprovider", "tests/test_scan.py", "tests/test_fastscan.py", *extra]
        return subprocess.run([sys.executable, "-c", CHILD, str(so), *tests], cwd=ROOT, env=env,
                              check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
