"""Hostile and broken input, run through the installed ``jgview`` as a real process.

Each case says what jgview must do with it: exit code, one-line errors naming the input, no
traceback, no raw control character in any output, the good evidence around the bad still
analyzed, and time and memory bounded (peak RSS of the child from ``os.wait4``). Big inputs are
generated in a temporary directory at test time. Pod names like ``../../x`` in bundles are
covered by ``tests/test_collect.py`` (see ``docs/security.md``).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import jgview_exe

V1 = (b"2024-05-01 10:00:26,650 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000094: Received new "
      b"cluster view for channel ISPN: [kc-0-1|0] (1) [kc-0-1]\n")
V2 = (b"2024-05-01 10:01:29,706 INFO  [org.infinispan.CLUSTER] (jgroups-5,kc-0-1) ISPN000094: Received new "
      b"cluster view for channel ISPN: [kc-0-1|1] (2) [kc-0-1, kc-1-2]\n")
FINAL = "[kc-0-1|1]"

# C0 except \t \n, DEL; C1 as UTF-8 (\xc2\x80-\xc2\x9f) or as raw bytes in undecodable output.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
RSS_LIMIT_MB = 300


@dataclass
class Child:
    args: list[str]
    rc: int
    out: bytes
    err: bytes
    seconds: float
    rss_mb: float

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8")

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8")

    def json(self) -> dict:
        return json.loads(self.out)


def run_child(args: list[str], *, input: bytes | None = None, timeout: float = 60, cwd: Path | None = None) -> Child:
    """Run ``jgview ARGS`` and measure it: wall time and the child's own peak RSS (``wait4``)."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="160")
    env.pop("JGVIEW_DEBUG", None)
    t0 = time.monotonic()
    p = subprocess.Popen(jgview_exe() + args, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    res: dict[str, bytes] = {}
    killed = threading.Event()

    def read(name: str, f) -> None:  # type: ignore[no-untyped-def]
        res[name] = f.read()

    def feed() -> None:
        try:
            p.stdin.write(input)  # type: ignore[union-attr]
            p.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass

    def kill() -> None:
        killed.set()
        p.kill()

    threads = [threading.Thread(target=read, args=("out", p.stdout)), threading.Thread(target=read, args=("err", p.stderr))]
    if input is not None:
        threads.append(threading.Thread(target=feed))
    timer = threading.Timer(timeout, kill)
    timer.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _, status, usage = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stdout.close()  # type: ignore[union-attr]
    p.stderr.close()  # type: ignore[union-attr]
    assert not killed.is_set(), f"jgview {args} hung: killed after {timeout} s"
    return Child(args, p.returncode, res.get("out", b""), res.get("err", b""), time.monotonic() - t0,
                 usage.ru_maxrss / 1024)


def check(c: Child, *, names: tuple[str, ...] = ()) -> Child:
    """What holds for every run on any input."""
    where = f"jgview {' '.join(c.args)[:200]}"
    assert b"Traceback" not in c.err, f"{where}: traceback on stderr:\n{c.stderr[-2000:]}"
    assert b"internal error" not in c.err, f"{where}: {c.stderr[:500]}"
    assert c.rc in (0, 1, 2, 3), f"{where}: exit code {c.rc}"
    for data, stream in ((c.out, "stdout"), (c.err, "stderr")):
        text = data.decode("utf-8")  # valid UTF-8, whatever the input held
        m = RAW_CONTROL.search(data)
        assert m is None, f"{where}: raw control character {m.group(0)!r} on {stream}: {text[max(0, m.start() - 80):m.end() + 40]!r}"
        assert not re.search(r"[\x80-\x9f]", text), f"{where}: C1 control character on {stream}"
    for line in c.stderr.splitlines():
        assert line.startswith("jgview"), f"{where}: stderr line is not a jgview one-liner: {line[:200]!r}"
        assert len(line) < 600, f"{where}: stderr line too long ({len(line)})"
    for n in names:
        assert any(n in line for line in c.stderr.splitlines()), f"{where}: no error line names {n!r}: {c.stderr!r}"
    return c


def run_all(jobs: list[tuple[list[str], dict]]) -> list[Child]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda j: run_child(j[0], **j[1]), jobs))


def final_views(doc: dict) -> list[str]:
    return [cl["view_id"] for ch in doc["channels"] for cl in ch["clusters"]]


# ------------------------------------------------------------------------------------------------
# inputs


def escape_line() -> bytes:
    """A view whose channel and member names carry terminal escapes (OSC title, reset, CSI/OSC
    as C1 bytes, BEL, DEL), rich markup and HTML."""
    chan = b"\x1b]0;pwned\x07IS\x1b[5mPN[bold]"
    a = b"kc\x1bc-0<script>alert(1)</script>"
    b = b"b\xc2\x9d0;title\x07x"
    c = b"c\x7f\xc2\x9b2Jq<img src=x onerror=alert(2)>"
    return (b"2024-05-01 10:00:27,650 INFO  [org.infinispan.CLUSTER] (main) ISPN000094: Received new cluster view "
            b"for channel " + chan + b": [" + a + b"|1] (3) [" + a + b", " + b + b", " + c + b"]\n")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    rnd = random.Random(20240501)

    def junk(n: int) -> bytes:
        return rnd.randbytes(n)

    (d / "random.log").write_bytes(junk(1 << 20))
    (d / "kc-0.log").write_bytes(V1 + junk(1 << 20) + b"\n" + V2)
    (d / "nul.log").write_bytes(b"\x00" * 200_000 + V1 + b"\x00\x00ab\x00\n" + b"\x00" * 4096 + V2 + b"\x00" * 1000)
    (d / "badutf.log").write_bytes(V1 + V2.replace(b"kc-1-2]", b"kc-1-\xff\xfe2]").replace(b"10:01:29", b"10:0\xc3:29"))
    # 20 MB on one line between two views; and 20 MB right after a view on the same line
    (d / "long.log").write_bytes(V1 + b"x" * (20 << 20) + b"\n" + V2)
    (d / "longview.log").write_bytes(V1 + V2[:-1] + b" " + b"[a|" * (7 << 20) + b"\n")
    head = b"2024-05-01 10:00:30,000 INFO  [org.infinispan.CLUSTER] (main) ISPN000094: Received new cluster view for channel ISPN: "
    bombs = [
        head + b"[a|" * 200_000,
        head + b"[" * 300_000 + b"a|1] (2) [a, b" + b"]" * 300_000,
        head + b"[a|1] (300000) [" + b"(" * 300_000 + b"a, b]",
        head + b"[a|1] (2) [" + b"a, " * 300_000,
        b"ISPN000093: Received new, MERGED cluster view for channel ISPN: MergeView::" + b"[a|1] (2) [" * 100_000,
        b"ISPN000093: Received new, MERGED cluster view for channel ISPN: MergeView::[a|2] (2) [a, b], 99999 subgroups: "
        + b"[a|1] (1) [a], " * 100_000,
        b"a: no members discovered after " + b"9" * 200_000 + b" ms: creating cluster as coordinator " * 3000,
        b"Setting JGroups discovery to kubernetes.KUBE_PING with properties {" + b"k=>v," * 200_000 + b"}",
        b"jgroups-5," * 200_000 + b" ISPN000079: Channel ISPN local address is " + b"x" * 200_000,
    ]
    (d / "brackets.log").write_bytes(V1 + b"\n".join(bombs) + b"\n" + V2)
    members = ", ".join(f"m-{i}" for i in range(300_000)).encode()
    (d / "big-view.log").write_bytes(head + b"[m-0|5] (300000) [" + members + b"]\n")
    gz = gzip.compress(V1 + V2 + b"2024-05-01 10:02:00,000 INFO  [x] (main) filler line\n" * 20_000)
    (d / "trunc.log.gz").write_bytes(gz[: len(gz) // 2])
    (d / "kc-1.log").write_bytes(V2)
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = co.compress(V1 + V2)
    block = b"A" * (1 << 20)
    for _ in range(256):  # 256 MiB of one line
        bomb += co.compress(block)
    (d / "bomb.log.gz").write_bytes(bomb + co.flush())
    rows = [
        {"message": 5}, {"message": ["x"]}, {"timestamp": {"a": 1}, "message": None}, [1, 2], "str", 3.5, None,
        {"timestamp": True, "level": 7, "loggerName": ["o"], "message": {"nested": "ISPN000094"}},
        {"timestamp": "2024-05-01T10:00:00Z", "loggerName": 3, "level": None, "thread": {"x": 1},
         "message": "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|1] (2) [kc-0-1, kc-1-2]"},
        {"timestamp": 1e300, "message": "x"}, {"timestamp": -1e300, "message": "y"}, {"@timestamp": "99999-99-99", "message": "z"},
    ]
    (d / "wrong-types.log").write_bytes(b"\n".join(json.dumps(r).encode() for r in rows) + b"\n{\"message\": \"unterminated\n")
    loop = d / "loop"
    (loop / "a" / "b").mkdir(parents=True)
    os.symlink("..", loop / "a" / "b" / "up")
    os.symlink(str(loop), loop / "a" / "root")
    os.symlink("missing-target", loop / "a" / "dangling.log")
    (loop / "a" / "kc-0.log").write_bytes(V1 + V2)
    (d / "esc.log").write_bytes(escape_line())
    (d / "empty.log").write_bytes(b"")
    (d / "merge-then-stop.log").write_bytes(
        b"2024-05-01 10:05:00,000 INFO  [org.infinispan.CLUSTER] (jgroups-9,kc-0-1) ISPN000093: Received new, MERGED "
        b"cluster view for channel ISPN: MergeView::[kc-0-1|5] (2) [kc-0-1, kc-1-2], 2 subgroups: [kc-0-1|3] (1) "
        b"[kc-0-1], [kc-1-2|4] (1) [kc-1-2]\n"
        b"2024-05-01 10:06:00,000 INFO  [org.infinispan.CLUSTER] (main) ISPN000080: Disconnecting JGroups channel `ISPN`\n")
    return d


# ------------------------------------------------------------------------------------------------
# the corpus


def test_random_bytes_alone_no_evidence(inputs: Path) -> None:
    f = str(inputs / "random.log")
    plain, js, ev = run_all([([f], {}), ([f, "--json"], {}), (["events", f], {})])
    for c in (plain, js, ev):
        check(c)
    assert plain.rc == 3 and "No JGroups membership evidence" in plain.stdout
    assert js.rc == 3 and js.json()["verdict"] == "unknown" and js.json()["stats"]["undecodable_lines"] > 0
    assert ev.out.strip() == b""


def test_random_bytes_on_stdin(inputs: Path) -> None:
    c = check(run_child(["-", "--json"], input=(inputs / "kc-0.log").read_bytes()))
    assert c.rc == 0 and final_views(c.json()) == [FINAL]


def test_good_views_around_random_bytes_in_every_output(inputs: Path, tmp_path: Path) -> None:
    f = str(inputs / "kc-0.log")
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    runs = run_all([([f], {}), ([f, "--json"], {}), (["events", f], {}), (["timeline", f], {}),
                    (["report", f, "-o", str(md)], {}), (["report", f, "-o", str(html)], {})])
    for c in runs:
        check(c)
    plain, js, ev, tl, rmd, rhtml = runs
    assert plain.rc == 0 and "HEALTHY" in plain.stdout and FINAL in plain.stdout
    assert final_views(js.json()) == [FINAL]
    assert [json.loads(x)["view"]["view_id"] for x in ev.stdout.splitlines()] == ["[kc-0-1|0]", FINAL]
    assert FINAL in tl.stdout
    assert "`[kc-0-1\\|1]` | `kc-0-1`, `kc-1-2` |" in md.read_text()  # Markdown escapes the `|`
    assert FINAL in html.read_text()


def test_nul_bytes(inputs: Path) -> None:
    c = check(run_child([str(inputs / "nul.log"), "--json"]))
    assert c.rc == 0 and final_views(c.json()) == [FINAL]


def test_invalid_utf8_inside_a_view_line_the_view_is_still_read(inputs: Path) -> None:
    c = check(run_child([str(inputs / "badutf.log"), "--json"]))
    doc = c.json()
    assert c.rc == 0, c.stdout[:500]
    clusters = [cl for ch in doc["channels"] for cl in ch["clusters"]]
    assert [cl["view_id"] for cl in clusters] == [FINAL]
    assert clusters[0]["members"][0] == "kc-0-1" and clusters[0]["members"][1].startswith("kc-1-\ufffd")
    assert doc["stats"]["undecodable_lines"] == 1


def test_20mb_single_line_bounded(inputs: Path) -> None:
    a, b = run_all([([str(inputs / "long.log"), "--json"], {"timeout": 60}), ([str(inputs / "longview.log"), "--json"], {"timeout": 60})])
    for c in (a, b):
        check(c)
        assert c.rc == 0 and final_views(c.json()) == [FINAL]
        assert c.json()["stats"]["long_lines"] == 1
        assert c.rss_mb < RSS_LIMIT_MB, f"{c.args}: peak RSS {c.rss_mb:.0f} MB"
        assert c.seconds < 30


def test_bracket_bombs_and_other_pathological_lines(inputs: Path) -> None:
    c = check(run_child([str(inputs / "brackets.log"), "--json"], timeout=60))
    assert c.rc == 0 and final_views(c.json()) == [FINAL]
    assert c.seconds < 30 and c.rss_mb < RSS_LIMIT_MB


def test_pathological_lines_each_bounded_in_process(inputs: Path) -> None:
    """Each line alone through the event recognizers: well under a second (work per line bound)."""
    from jgview import events

    for line in (inputs / "brackets.log").read_bytes().split(b"\n"):
        text = line.decode("utf-8", "replace")
        t0 = time.perf_counter()
        events.scan(text)
        dt = time.perf_counter() - t0
        assert dt < 1.0, f"{dt:.2f} s for a line starting {text[:80]!r}"


def test_view_of_300000_members(inputs: Path) -> None:
    c = check(run_child([str(inputs / "big-view.log"), "--json"], timeout=60))
    doc = c.json()
    assert c.rc == 0
    (cl,) = [cl for ch in doc["channels"] for cl in ch["clusters"]]
    assert cl["view_id"] == "[m-0|5]" and cl["size"] == 300_000
    assert 0 < len(cl["members"]) <= 5000  # members kept per view are bounded; the size is not
    assert c.rss_mb < RSS_LIMIT_MB and c.seconds < 30
    assert len(c.out) < 20 << 20


def test_truncated_gzip_named_and_the_rest_analyzed(inputs: Path) -> None:
    plain, js = run_all([([str(inputs / "trunc.log.gz"), str(inputs / "kc-1.log")], {}),
                         ([str(inputs / "trunc.log.gz"), "--json"], {})])
    check(plain, names=("trunc.log.gz",))
    check(js, names=("trunc.log.gz",))
    (err,) = plain.stderr.splitlines()
    assert "truncated gzip" in err
    assert plain.rc == 2 and FINAL in plain.stdout  # the input error, and the verdict anyway
    assert js.rc == 2 and final_views(js.json()) == [FINAL]
    assert any("truncated" in p for p in js.json()["problems"])


def test_gzip_bomb_bounded(inputs: Path) -> None:
    c = check(run_child([str(inputs / "bomb.log.gz"), "--json"], timeout=60), names=("bomb.log.gz",))
    assert "gzip bomb" in c.stderr
    assert c.rc == 2 and final_views(c.json()) == [FINAL]  # the lines before the bomb are analyzed
    assert c.rss_mb < RSS_LIMIT_MB and c.seconds < 30


def test_json_lines_with_wrong_types(inputs: Path) -> None:
    plain, js = run_all([([str(inputs / "wrong-types.log")], {}), ([str(inputs / "wrong-types.log"), "--json"], {})])
    check(plain)
    check(js)
    assert js.rc == 0 and final_views(js.json()) == [FINAL]


def test_directory_with_symlink_loop(inputs: Path) -> None:
    c = check(run_child([str(inputs / "loop"), "--json"], timeout=30))
    assert c.rc == 0 and final_views(c.json()) == [FINAL]
    assert [s["name"] for s in c.json()["sources"]] == [str(inputs / "loop" / "a" / "kc-0.log")]


def test_missing_and_empty_inputs_beside_good_evidence(inputs: Path) -> None:
    missing = str(inputs / "no-such.log")
    c = check(run_child([missing, str(inputs / "empty.log"), str(inputs / "kc-1.log")]), names=(missing,))
    assert c.rc == 2 and FINAL in c.stdout
    assert len(c.stderr.splitlines()) == 1


def test_escape_sequences_markup_and_html_in_names(inputs: Path, tmp_path: Path) -> None:
    f = str(inputs / "esc.log")
    md, html = tmp_path / "esc.md", tmp_path / "esc.html"
    runs = run_all([([f], {}), ([f, "--json"], {}), (["events", f], {}), (["timeline", f], {}),
                    (["report", f, "-o", str(md)], {}), (["report", f, "-o", str(html)], {})])
    for c in runs:
        check(c)
    plain, js, ev, tl, _, _ = runs
    # printed literally: the escape is shown as text, the markup is not interpreted
    assert plain.rc == 0
    assert "\\x1b]0;pwned\\x07ISPN[bold]" in plain.stdout
    assert "kc\\x1bc-0<script>alert(1)</script>" in plain.stdout
    assert "\\x1b" in tl.stdout and "[bold]" in tl.stdout
    (cl,) = js.json()["channels"][0]["clusters"]
    assert cl["size"] == 3 and cl["coordinator"] == "kc\x1bc-0<script>alert(1)</script>"  # JSON escapes it
    assert b"\\u001b" in ev.out
    for path in (md, html):
        data = path.read_bytes()
        assert RAW_CONTROL.search(data) is None, f"raw control character in {path.name}"
        assert not re.search(r"[\x80-\x9f]", data.decode("utf-8")), path.name
    h = html.read_text().lower()
    assert "<script" not in h and "<img" not in h
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in h


def test_merge_then_clean_stop_is_not_an_internal_error(inputs: Path) -> None:
    """Found by scripts/fuzz.py: a healed channel whose pods all stopped (no final cluster)."""
    c = check(run_child([str(inputs / "merge-then-stop.log"), "--json"]))
    assert c.rc in (0, 3)
    assert c.json()["channels"][0]["merges"]


@pytest.mark.parametrize("stamp, tz", [("0001-01-01 00:00:00,000", "+02:00"), ("9999-12-31 23:59:59,999", "-05:00"),
                                       ("0001-01-01T00:00:00.000000000+02:00", "UTC")])
def test_dates_at_the_ends_of_the_calendar_with_an_offset(tmp_path: Path, stamp: str, tz: str) -> None:
    """A time that an offset moves before year 1 or past 9999 has no time (it was an internal
    error); the rest of the line is still read."""
    view = "INFO  [org.infinispan.CLUSTER] (main) ISPN000094: Received new cluster view for channel ISPN: [a-1|1] (1) [a-1]"
    line = f"{stamp} {view}\n" if "T" not in stamp else f"{stamp} 2024-05-01 10:00:00,000 {view}\n"
    p = tmp_path / "a.log"
    p.write_text(line)
    c = check(run_child([str(p), "--json", "--tz", tz]))
    assert [cl["view_id"] for ch in c.json()["channels"] for cl in ch["clusters"]] == ["[a-1|1]"]
