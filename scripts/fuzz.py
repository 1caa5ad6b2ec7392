#!/usr/bin/env python3
"""Long-running fuzzer for the whole jgview pipeline (not part of the test suite).

    /work/venv/bin/pip install atheris            # optional, never a dependency of jgview
    python scripts/fuzz.py --minutes 10 --out fuzz-out

Each input is fed, as the bytes of one log, through sources -> records -> events -> history ->
analysis -> findings and every renderer (terminal, JSON, Markdown, HTML, timeline). An input
fails when any stage raises, when one input takes longer than ``--slow`` seconds, when a raw
control character (C0 except tab/newline, DEL, C1) reaches the terminal, Markdown or timeline
output, or when ``<script`` from the log appears unescaped in the HTML. Failures do not stop the
run: each distinct one (by exception type and innermost jgview frame) is written once to
``OUT/failures/`` with its input, and a summary (inputs tried, failures, slowest input) goes to
``OUT/summary.json`` at the end, for ``docs/security.md``.

Engines: atheris (coverage-guided libFuzzer, with a dictionary of JGroups wordings and a seed
corpus cut from ``sample_logs/``) when it is installed, else Hypothesis at scale (random bytes
mixed with real membership lines and bracket bombs). ``--engine`` forces one.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import io
import json
import os
import random
import re
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Real membership lines (several layouts) spliced into fuzzed data.
REAL_LINES = [
    b"2024-05-01 10:00:26,650 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000094: Received new "
    b"cluster view for channel ISPN: [kc-0-1|0] (1) [kc-0-1]",
    b"2024-05-01 10:01:29,706 INFO  [org.infinispan.CLUSTER] (jgroups-5,kc-0-1) ISPN000094: Received new cluster "
    b"view for channel ISPN: [kc-0-1|1] (2) [kc-0-1, kc-1-2]",
    b"10:00:01,000 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) a: no members "
    b"discovered after 3004 ms: creating cluster as coordinator",
    b"2024-05-01T10:00:00.123456789Z 2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (main) ISPN000079: "
    b"Channel ISPN local address is kc-0-1, physical addresses are [10.0.0.1:7800]",
    b"2024-05-01 10:05:00,000 INFO  [org.infinispan.CLUSTER] (jgroups-9,kc-0-1) ISPN000093: Received new, MERGED "
    b"cluster view for channel ISPN: MergeView::[kc-0-1|5] (2) [kc-0-1, kc-1-2], 2 subgroups: [kc-0-1|3] (1) "
    b"[kc-0-1], [kc-1-2|4] (1) [kc-1-2]",
    b'{"timestamp":"2024-05-01T10:00:00Z","level":"INFO","loggerName":"org.infinispan.CLUSTER","message":'
    b'"ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|2] (2) [kc-0-1, kc-1-2]"}',
    b"[pod/kc-1/keycloak] 2024-05-01 10:00:00,000 WARN  [org.jgroups.protocols.kubernetes.KUBE_PING] (main) "
    b"failed getting JSON response from Kubernetes Client: 403 Forbidden",
    b"2024-05-01 10:00:00,000 INFO  [org.jboss.as.clustering.jgroups] (main) Setting JGroups discovery to "
    b"kubernetes.KUBE_PING with properties {namespace=>sso,labels=>application=sso}",
    b"\x1b]8;;http://evil\x07x\x1b]8;;\x07 ISPN000094: Received new cluster view for channel \x1b[2J<script>: "
    b"[\x1b[31mred[/red]|7] (2) [\x1b[31mred[/red], <script>alert(1)</script>]",
]

DICTIONARY = [
    "ISPN000094", "ISPN000093", "ISPN000078", "ISPN000079", "ISPN000080", "ISPN000314", "ISPN100000",
    "ISPN100001", "ISPN100007", "Received new cluster view for channel ", "Received new, MERGED cluster view",
    "MergeView::", " subgroups: ", "creating cluster as coordinator", "no members discovered after ",
    "local_addr: ", "physical addresses are ", "(v=16.0.8)", "(site-id=s1, rack-id=r1, machine-id=m1)",
    "[a|", "|0] ", "(2) ", "[a, b]", ", ", " ...", "DEGRADED_MODE", "AVAILABLE", "KUBE_PING", "DNS_PING",
    "org.infinispan.CLUSTER", "org.jgroups.protocols.pbcast.GMS", "jgroups-5,", " INFO  ", " WARN  ",
    "2024-05-01 10:00:00,000", "2024-05-01T10:00:00.000Z ", "[pod/", "{\"message\":\"", "\\u001b", "\x1b[",
    "\x1b]8;;", "<script>", "[bold]", "\x00", "\r\n", "\xff\xfe", "\x1f\x8b\x08",
]


def _check_text(kind: str, text: str) -> None:
    m = CONTROL.search(text)
    if m:
        raise AssertionError(f"raw control character {m.group(0)!r} in {kind} output")


def run_one(data: bytes) -> None:
    """The whole pipeline and every renderer on one input; raises on any failure."""
    from rich.console import Console

    from jgview import pipeline
    from jgview.render import html, jsonout, markdown, terminal, timeline

    errors: list[str] = []
    opts = pipeline.AnalyzeOptions(stdin=io.BytesIO(data), pod="fz-0")
    a = pipeline.analyze(["-"], opts, on_error=errors.append)
    for e in errors:
        if "\n" in e:
            raise AssertionError(f"multi-line error message: {e!r}")
        _check_text("error", e)
    _check_text("json", jsonout.render(a))
    buf = io.StringIO()
    terminal.render(a, terminal.make_console(buf, no_color=True), verbose=True)
    _check_text("terminal", buf.getvalue())
    _check_text("markdown", markdown.render(a))
    h = html.render(a)
    _check_text("html", h)
    if "<script" in h.lower():
        raise AssertionError("<script in HTML output")
    buf = io.StringIO()
    con = Console(file=buf, width=120, no_color=True, markup=False, highlight=False, emoji=False)
    timeline.render(a, con)
    _check_text("timeline", buf.getvalue())


class Recorder:
    def __init__(self, out: Path, slow: float) -> None:
        self.out = out
        self.slow = slow
        (out / "failures").mkdir(parents=True, exist_ok=True)
        self.tried = 0
        self.failures: dict[str, dict] = {}
        self.slowest = (0.0, "")
        self.started = time.time()
        self.bytes = 0

    def __call__(self, data: bytes) -> None:
        self.tried += 1
        self.bytes += len(data)
        t0 = time.perf_counter()
        failure = None
        try:
            run_one(data)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, the run goes on
            tb = traceback.extract_tb(exc.__traceback__)
            frames = [f for f in tb if "/jgview/" in f.filename] or tb
            last = frames[-1] if frames else None
            where = f"{Path(last.filename).name}:{last.name}:{last.lineno}" if last else "?"
            failure = (f"{type(exc).__name__}@{where}", f"{type(exc).__name__}: {str(exc)[:300]}",
                       "".join(traceback.format_exception(exc))[-4000:])
        dt = time.perf_counter() - t0
        digest = hashlib.sha1(data).hexdigest()[:12]
        if dt > self.slowest[0]:
            self.slowest = (dt, digest)
        if failure is None and dt > self.slow:
            failure = (f"slow>{self.slow}s", f"took {dt:.2f}s for {len(data)} bytes", "")
        if failure is not None:
            key, msg, tb_text = failure
            if key not in self.failures:
                self.failures[key] = {"message": msg, "first_input": digest, "count": 0, "seconds": round(dt, 3)}
                (self.out / "failures" / f"{digest}.bin").write_bytes(data)
                (self.out / "failures" / f"{digest}.txt").write_text(f"{key}\n{msg}\n\n{tb_text}")
                print(f"[fuzz] new failure {key}: {msg} (input {digest})", file=sys.stderr, flush=True)
            self.failures[key]["count"] += 1
        if self.tried % 500 == 0:
            self.write_summary()

    def write_summary(self, engine: str = "") -> dict:
        s = {
            "engine": engine or getattr(self, "engine", ""),
            "inputs_tried": self.tried,
            "input_bytes": self.bytes,
            "seconds": round(time.time() - self.started, 1),
            "distinct_failures": len(self.failures),
            "failures": self.failures,
            "slowest_input_seconds": round(self.slowest[0], 3),
            "slowest_input": self.slowest[1],
        }
        (self.out / "summary.json").write_text(json.dumps(s, indent=2))
        return s


def seed_corpus(dest: Path, n: int = 200) -> None:
    """Small pieces of the sample logs (real layouts and wordings) to start from."""
    dest.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(7)
    files = [p for p in (ROOT / "sample_logs").rglob("*") if p.is_file() and p.suffix in (".log", ".txt", "")]
    interesting = []
    for p in files:
        try:
            for line in p.read_bytes().splitlines():
                if re.search(rb"ISPN0|GMS|JGroups|view|coordinator|KUBE_PING|DNS_PING|MergeView", line):
                    interesting.append(line[:3000])
        except OSError:
            continue
    interesting += REAL_LINES
    for i in range(n):
        k = rnd.randint(1, 6)
        chunk = b"\n".join(rnd.choice(interesting) for _ in range(k)) + b"\n"
        (dest / f"seed{i:04d}").write_bytes(chunk)


def mutate_mix(rnd: random.Random) -> bytes:
    """Hypothesis-less structured generator used by the Hypothesis engine's strategies too."""
    parts: list[bytes] = []
    for _ in range(rnd.randint(1, 8)):
        r = rnd.random()
        if r < 0.3:
            parts.append(rnd.choice(REAL_LINES))
        elif r < 0.5:
            parts.append(os.urandom(rnd.randint(0, 2000)))
        elif r < 0.65:
            tok = rnd.choice([b"[a|", b"[", b"(", b"{", b"MergeView::[a|1] ", b", 2 subgroups: ", b"[a|1] (2) ["])
            parts.append(b"ISPN000094: Received new cluster view for channel ISPN: " + tok * rnd.randint(1, 20000))
        elif r < 0.8:
            line = bytearray(rnd.choice(REAL_LINES))
            for _ in range(rnd.randint(1, 10)):
                pos = rnd.randrange(len(line) + 1)
                op = rnd.random()
                if op < 0.4 and line:
                    del line[pos: pos + rnd.randint(1, 8)]
                elif op < 0.8:
                    line[pos:pos] = rnd.choice(DICTIONARY).encode("utf-8", "surrogateescape")
                else:
                    line[pos:pos] = bytes([rnd.randrange(256)])
            parts.append(bytes(line))
        else:
            parts.append(rnd.choice(DICTIONARY).encode() * rnd.randint(1, 50))
    sep = rnd.choice([b"\n", b"\r\n", b"\n\n", b"\x00\n"])
    return sep.join(parts)


def _dict_entry(word: str) -> str:
    """One libFuzzer dictionary line: printable ASCII kept, other bytes as ``\\xNN``."""
    out = []
    for b in word.encode("utf-8", "surrogateescape"):
        c = chr(b)
        out.append(c if 0x20 <= b < 0x7f and c not in '"\\' else f"\\x{b:02X}")
    return '"' + "".join(out) + '"'


def run_atheris(rec: Recorder, args: argparse.Namespace) -> None:
    import atheris

    with atheris.instrument_imports(include=["jgview"]):
        import jgview.pipeline  # noqa: F401
        from jgview import analysis, catalogue, events, history, records, sources, viewparse  # noqa: F401
        from jgview.render import html, jsonout, markdown, terminal, timeline  # noqa: F401

    corpus = args.out / "corpus"
    seed_corpus(corpus)
    dict_path = args.out / "jgview.dict"
    dict_path.write_text("".join(_dict_entry(w) + "\n" for w in DICTIONARY))
    rec.engine = "atheris"

    # libFuzzer ends the process itself at -max_total_time (no return from Fuzz()): the summary
    # is written at exit.
    atexit.register(rec.write_summary, "atheris")
    argv = [sys.argv[0], str(corpus), f"-dict={dict_path}", "-max_len=65536", "-len_control=50",
            f"-max_total_time={max(1, int(args.minutes * 60))}", "-timeout=30", "-rss_limit_mb=2048",
            f"-artifact_prefix={args.out}/", "-print_final_stats=1"]
    atheris.Setup(argv, rec)
    atheris.Fuzz()


def run_hypothesis(rec: Recorder, args: argparse.Namespace) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    rec.engine = "hypothesis"
    deadline = time.time() + args.minutes * 60
    pieces = st.one_of(
        st.sampled_from(REAL_LINES),
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.builds(lambda t, n: t * n, st.sampled_from([b"[a|", b"[", b"(", b"MergeView::[a|1] "]), st.integers(1, 20000)),
        st.integers(0, 2**32).map(lambda seed: mutate_mix(random.Random(seed))),
    )

    @settings(max_examples=10**9, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(pieces, min_size=1, max_size=10), st.sampled_from([b"\n", b"\r\n", b"\x00\n"]))
    def prop(parts: list[bytes], sep: bytes) -> None:
        if time.time() > deadline:
            raise _Stop
        rec(sep.join(parts))

    try:
        prop()
    except _Stop:
        pass
    rec.write_summary("hypothesis")


class _Stop(BaseException):
    pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--out", type=Path, default=Path("fuzz-out"))
    ap.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    ap.add_argument("--slow", type=float, default=2.0, help="seconds after which one input counts as a failure")
    ap.add_argument("--replay", type=Path, nargs="*", help="run these saved inputs once and report")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["NO_COLOR"] = "1"
    rec = Recorder(args.out, args.slow)
    if args.replay:
        for p in args.replay:
            rec(p.read_bytes())
        s = rec.write_summary("replay")
        print(json.dumps(s, indent=2))
        return 1 if s["distinct_failures"] else 0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    if engine == "atheris":
        run_atheris(rec, args)
    else:
        run_hypothesis(rec, args)
    s = rec.write_summary(engine)
    print(json.dumps({k: v for k, v in s.items() if k != "failures"}, indent=2))
    for key, f in s["failures"].items():
        print(f"failure {key}: {f['message']} x{f['count']} (input {f['first_input']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
