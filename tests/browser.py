"""Headless Chromium for the HTML report tests: the DOM it rendered and a screenshot.

Debian's ``chromium`` package (``.ci/run`` installs it when missing). It runs headless, without
sandbox, GPU or background networking, with a fresh temporary profile, through ``subprocess``
with an argument list and a timeout. :func:`require_chromium` skips a test with a clear reason
when the browser is absent. PNGs are read with the standard library (zlib), no Pillow.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--disable-dev-shm-usage",
)


def chromium_path() -> str | None:
    env = os.environ.get("JGVIEW_CHROMIUM")
    if env and os.access(env, os.X_OK):
        return env
    for c in CANDIDATES:
        if os.access(c, os.X_OK):
            return c
    return shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    if not path:
        pytest.skip("headless Chromium not installed (apt-get install chromium; .ci/run installs it)")
    return path


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = require_chromium()
    with tempfile.TemporaryDirectory(prefix="jgview-chromium-") as profile:
        env = dict(os.environ)
        env.setdefault("HOME", profile)
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail(f"chromium did not finish within {timeout} s: {' '.join(args)}")


def dump_dom(path: Path, timeout: float = 60) -> str:
    """The DOM Chromium built from the file, serialized (``--dump-dom``)."""
    proc = _run(["--dump-dom", Path(path).resolve().as_uri()], timeout)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0 and out.strip(), proc.stderr.decode("utf-8", "replace")[-2000:]
    return out


def screenshot(path: Path, png: Path, size: tuple[int, int] = (1400, 1000), timeout: float = 60,
               dark: bool = False) -> bytes:
    """A PNG screenshot of the file at ``size``; returns the PNG bytes."""
    args = [f"--screenshot={png}", f"--window-size={size[0]},{size[1]}"]
    if dark:
        args.append("--force-dark-mode")
        args.append("--blink-settings=preferredColorScheme=0")
    proc = _run([*args, Path(path).resolve().as_uri()], timeout)
    assert png.exists(), proc.stderr.decode("utf-8", "replace")[-2000:]
    return png.read_bytes()


# ---------------------------------------------------------------------------------------------
# PNG reading (standard library only)


_MASK = (255).__and__


def _add_bytes(a: bytes, b: bytes) -> bytes:
    """Bytewise (a + b) mod 256 on whole rows at once (SWAR on Python's big integers)."""
    n = len(a)
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    high = int.from_bytes(b"\x80" * n, "big")
    low = int.from_bytes(b"\x7f" * n, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(n, "big")


@functools.lru_cache(maxsize=4)
def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows) of an 8-bit RGB/RGBA PNG; each row holds ``width * channels`` bytes
    after undoing the scanline filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos = 8
    idat = bytearray()
    width = height = 0
    channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, (depth, interlace)
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[color]
        elif ctype == b"IDAT":
            idat += body
        elif ctype == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytes(stride)
    i = 0
    for _ in range(height):
        ftype = raw[i]
        cur = raw[i + 1 : i + 1 + stride]
        i += 1 + stride
        if ftype == 0:
            line = bytes(cur)
        elif ftype == 2:
            line = _add_bytes(cur, prev)
        elif ftype == 1:
            out = bytearray(stride)
            for c in range(channels):
                out[c::channels] = bytes(map(_MASK, itertools.accumulate(cur[c::channels])))
            line = bytes(out)
        else:
            out = bytearray(cur)
            for x in range(stride):
                a = out[x - channels] if x >= channels else 0
                b = prev[x]
                if ftype == 3:
                    out[x] = (out[x] + ((a + b) >> 1)) & 0xFF
                else:
                    c = prev[x - channels] if x >= channels else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    out[x] = (out[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 0xFF
            line = bytes(out)
        rows.append(line)
        prev = line
    return width, height, rows


def pixel_stats(data: bytes, step: int = 3) -> dict[str, float]:
    """Distinct colours and the share of pixels that differ from the most common one (the
    background), sampled every ``step`` pixels."""
    width, height, rows = png_pixels(data)
    channels = len(rows[0]) // width if rows else 3
    counts: dict[bytes, int] = {}
    for y in range(0, height, step):
        row = rows[y]
        for x in range(0, width, step):
            px = row[x * channels : x * channels + 3]
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values()) or 1
    bg, bg_n = max(counts.items(), key=lambda kv: kv[1])
    return {"width": width, "height": height, "distinct": len(counts), "non_background": 1 - bg_n / total,
            "background": bg}  # type: ignore[dict-item]


def colour_present(data: bytes, rgb: tuple[int, int, int], tolerance: int = 12, step: int = 2) -> int:
    """How many sampled pixels are within ``tolerance`` of ``rgb``."""
    width, height, rows = png_pixels(data)
    channels = len(rows[0]) // width if rows else 3
    n = 0
    for y in range(0, height, step):
        row = rows[y]
        for x in range(0, width, step):
            i = x * channels
            if abs(row[i] - rgb[0]) <= tolerance and abs(row[i + 1] - rgb[1]) <= tolerance and abs(row[i + 2] - rgb[2]) <= tolerance:
                n += 1
    return n
