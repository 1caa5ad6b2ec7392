"""``--follow``: lines fed into a pipe over time; the split is announced while the pipe is open."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time

from conftest import jgview_exe

from jgview.follow import FileTailer, follow_lines
from jgview.pipeline import AnalyzeOptions


def kc(ts: str, node: str, msg: str, logger: str = "org.jgroups.protocols.pbcast.GMS", thread: str = "main") -> str:
    return f"{ts}Z 2024-05-01 {ts[11:19]},000 INFO  [{logger}] ({thread}) {msg}"


def created(pod: str, node: str, ts: str) -> str:
    return f"[pod/{pod}/keycloak] " + kc(ts, node, f"{node}: no members discovered after 2004 ms: creating cluster as coordinator")


MERGE = ("ISPN000093: Received new, MERGED cluster view for channel ISPN: MergeView::[keycloak-0-1|1] (2) "
         "[keycloak-0-1, keycloak-1-2], 2 subgroups: [keycloak-0-1|0] (1) [keycloak-0-1], [keycloak-1-2|0] (1) [keycloak-1-2]")


def merged(pod: str, node: str, ts: str) -> str:
    return f"[pod/{pod}/keycloak] " + kc(ts, node, MERGE, "org.infinispan.CLUSTER", f"jgroups-5,{node}")


class Proc:
    def __init__(self, args: list[str]):
        env = dict(os.environ, NO_COLOR="1")
        self.p = subprocess.Popen(jgview_exe() + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.p.stdout:
            self.lines.put(raw.decode())

    def send(self, line: str) -> None:
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()

    def expect(self, change: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                doc = json.loads(self.lines.get(timeout=deadline - time.monotonic()))
            except queue.Empty:
                break
            if doc.get("change") == change:
                return doc
        raise AssertionError(f"no {change!r} state within {timeout}s")


def test_split_announced_while_pipe_open_then_heal_then_final():
    pr = Proc(["--follow"])
    try:
        pr.send(created("keycloak-0", "keycloak-0-1", "2024-05-01T10:00:00.000000000"))
        pr.send(created("keycloak-1", "keycloak-1-2", "2024-05-01T10:00:30.000000000"))
        t0 = time.monotonic()
        doc = pr.expect("split")
        assert time.monotonic() - t0 < 10
        assert doc["verdict"] == "split" and pr.p.poll() is None  # still running, pipe still open
        assert sorted(c["seen_by"][0] for c in doc["channels"][0]["clusters"]) == ["keycloak-0", "keycloak-1"]
        pr.send(merged("keycloak-0", "keycloak-0-1", "2024-05-01T10:01:00.000000000"))
        pr.send(merged("keycloak-1", "keycloak-1-2", "2024-05-01T10:01:00.100000000"))
        healed = pr.expect("healed")
        assert healed["verdict"] == "healed" and pr.p.poll() is None
        pr.p.stdin.close()
        final = pr.expect("final")
        assert final["verdict"] == "healed" and final["schema_version"] == 1
        assert pr.p.wait(timeout=20) == 0
    finally:
        pr.p.kill()


def test_exit_on_split_ends_the_run_while_input_is_still_open():
    pr = Proc(["--follow", "--exit-on-split"])
    try:
        pr.send(created("keycloak-0", "keycloak-0-1", "2024-05-01T10:00:00.000000000"))
        pr.send(created("keycloak-1", "keycloak-1-2", "2024-05-01T10:00:30.000000000"))
        assert pr.p.wait(timeout=20) == 1
    finally:
        pr.p.kill()


def test_follow_lines_reports_each_change():
    lines = [
        created("keycloak-0", "keycloak-0-1", "2024-05-01T10:00:00.000000000"),
        created("keycloak-1", "keycloak-1-2", "2024-05-01T10:00:30.000000000"),
        merged("keycloak-0", "keycloak-0-1", "2024-05-01T10:01:00.000000000"),
        merged("keycloak-1", "keycloak-1-2", "2024-05-01T10:01:00.100000000"),
    ]
    changes = [c for c, _ in follow_lines(lines, AnalyzeOptions())]
    assert changes[:1] == ["start"] and "split" in changes and changes.index("split") < changes.index("healed")


def test_file_tailer_follows_growth_rotation_and_truncation(tmp_path):
    path = tmp_path / "kc.log"
    path.write_text("one\n")
    q: "queue.Queue" = queue.Queue()
    stop = threading.Event()
    t = FileTailer(0, str(path), q, stop, poll=0.02)
    t.start()

    def got(n: int) -> list[bytes]:
        out = []
        deadline = time.monotonic() + 5
        while len(out) < n and time.monotonic() < deadline:
            try:
                out.append(q.get(timeout=0.1)[2])
            except queue.Empty:
                pass
        return out

    try:
        assert got(1) == [b"one"]
        with path.open("a") as f:
            f.write("two\n")
        assert got(1) == [b"two"]
        path.rename(tmp_path / "kc.log.1")  # rotation: a new file appears under the name
        path.write_text("three\n")
        assert got(1) == [b"three"]
        path.write_text("")  # truncation, then new content
        time.sleep(0.1)
        path.write_text("four\n")
        assert got(1) == [b"four"]
    finally:
        stop.set()
        t.join(timeout=2)


def test_memory_stays_bounded_when_streaming_many_events():
    from jgview import follow

    f = follow.Follower(AnalyzeOptions(), lambda m: None)
    idx = f.add_stream("<lines>", "keycloak-0", True)
    line = kc("2024-05-01T10:00:00.000000000", "keycloak-0-1",
              "ISPN100000: Node keycloak-1-2 joined the cluster", "org.infinispan.CLUSTER", "jgroups-5,keycloak-0-1")
    for n in range(follow.MAX_EVENTS_PER_SOURCE + 5_000):
        f.feed(idx, n + 1, line.encode())
    assert len(f.streams[idx].events) <= follow.MAX_EVENTS_PER_SOURCE
    a = f.analyze()
    assert a.stats["summarized_events"] > 0
