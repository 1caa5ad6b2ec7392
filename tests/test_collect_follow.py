"""``jgview collect -f``: the real kubectl follows the stand-in API server's logs while the test
adds pods, restarts containers, drops connections and makes a log fail.

jgview runs as a subprocess with stdout a pipe, so it prints one JSON line per state change.
Waits are generous (a loaded 2-core machine); no sleep is an assertion.
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner
from conftest import jgview_exe

try:
    from k8s_stub import KubeStub, make_pod, seed_boot_log, seed_fix_scenario, seed_split_scenario
except ImportError:  # tests/ used as a package
    from tests.k8s_stub import (  # type: ignore[no-redef]
        KubeStub,
        make_pod,
        seed_boot_log,
        seed_fix_scenario,
        seed_split_scenario,
    )

from jgview.collect.follow import _restarted, _Run, containers_of

KUBECTL = shutil.which("kubectl")
WAIT = 30.0
"""Seconds to wait for something that should take about one second."""
POLL = "0.3"

N8GPD, J6P5H = "keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"
MVRFG, VV5JN = "keycloak-demo-1-mvrfg", "keycloak-demo-1-vv5jn"


@pytest.fixture
def stub(tmp_path: Path) -> Any:
    if KUBECTL is None:
        pytest.skip("needs the kubectl binary")
    with KubeStub(seed_split_scenario(), tmp_path / "kube") as s:
        yield s


class Jgview:
    """``jgview collect -f ...`` as a process; stdout JSON lines and stderr lines collected."""

    def __init__(self, stub: KubeStub, args: list[str]) -> None:
        env = stub.env()
        env.update(NO_COLOR="1", COLUMNS="160")
        env.pop("JGVIEW_DEBUG", None)
        self.p = subprocess.Popen(
            [*jgview_exe(), "collect", "-f", "-l", "app=keycloak", "--poll-interval", POLL, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.docs: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self) -> None:
        assert self.p.stdout is not None
        for raw in self.p.stdout:
            try:
                self.docs.put(json.loads(raw))
            except ValueError:
                self.docs.put({"not_json": raw.decode(errors="replace")})

    def _err(self) -> None:
        assert self.p.stderr is not None
        for raw in self.p.stderr:
            self.stderr.append(raw.decode(errors="replace"))

    def expect(
        self, pred: Callable[[dict[str, Any]], bool], what: str, timeout: float = WAIT
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {what} within {timeout}s; lines: {self.seen}; stderr: {''.join(self.stderr)}"
                )
            try:
                doc = self.docs.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            self.seen.append(doc)
            if pred(doc):
                return doc

    def interrupt(self) -> tuple[dict[str, Any], int]:
        """SIGINT; returns the final line and the exit code."""
        self.p.send_signal(signal.SIGINT)
        final = self.expect(lambda d: d.get("change") == "final", "final line")
        return final, self.p.wait(timeout=WAIT)

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=WAIT)


def seen_by(doc: dict[str, Any]) -> list[list[str]]:
    return sorted(sorted(cl["seen_by"]) for ch in doc["channels"] for cl in ch["clusters"])


def both_healthy(doc: dict[str, Any]) -> bool:
    """The seed's fix: both pods in one cluster (each pod's log read)."""
    return doc.get("verdict") == "healthy" and seen_by(doc) == [[MVRFG, VV5JN]]


def follows(stub: KubeStub, pod: str) -> list[dict[str, Any]]:
    return [
        r
        for r in stub.log_requests()
        if r["path"].endswith(f"/pods/{pod}/log") and r["query"].get("follow") == "true"
    ]


def wait_for(cond: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(0.05)


def one_pod_scenario() -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]:
    """The seed's split with only n8gpd running; j6p5h (and its log) comes later."""
    sc = seed_split_scenario()
    second = sc["objects"]["pods"].pop(1)
    log = sc["logs"].pop(f"demo/{J6P5H}/keycloak")
    return sc, second, log


# --------------------------------------------------------------------------------------------
# against the stub, with the real kubectl


def test_a_pod_appearing_later_that_creates_its_own_cluster_is_a_split_announced_live(stub: KubeStub) -> None:
    sc, second, second_log = one_pod_scenario()
    stub.set_scenario(sc)
    jg = Jgview(stub, ["-n", "demo"])
    try:
        first = jg.expect(lambda d: d.get("verdict") == "alone", "state of the first pod")
        assert first["change"] == "start" and seen_by(first) == [[N8GPD]]
        stub.add_pod(second, second_log)  # a second pod, discovered by the next listing
        split = jg.expect(lambda d: d.get("change") == "split", "split line")
        assert jg.p.poll() is None  # announced while following
        assert split["verdict"] == "split" and seen_by(split) == [[J6P5H], [N8GPD]]
        assert "SPLIT" in split["summary"]
        final, code = jg.interrupt()
        assert final["verdict"] == "split" and final["exit_code"] == 1 and code == 1
    finally:
        jg.close()
    # the whole log with kubelet timestamps, followed once per container
    for pod in (N8GPD, J6P5H):
        [req] = follows(stub, pod)
        assert req["query"].get("timestamps") == "true" and req["query"].get("container") == "keycloak"
        assert "tailLines" not in req["query"] and "previous" not in req["query"]
    wait_for(lambda: stub.streams_open == 0, "the kubectl processes ending")


def test_exit_on_split_exits_1_and_keeps_the_followed_logs_as_a_bundle(
    stub: KubeStub, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    jg = Jgview(stub, ["-n", "demo", "--exit-on-split", "-o", str(out)])
    try:
        assert jg.p.wait(timeout=WAIT * 2) == 1
        jg.expect(lambda d: d.get("change") == "split", "split line")
        final = jg.expect(lambda d: d.get("change") == "final", "final line")
        assert final["verdict"] == "split"
    finally:
        jg.close()
    wait_for(lambda: stub.streams_open == 0, "the kubectl processes ending")  # killed at exit
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["follow"]["poll_interval"] == float(POLL) and manifest["selector"] == "app=keycloak"
    assert {(e["pod"], e["followed"], e["path"]) for e in manifest["logs"]} == {
        (N8GPD, True, f"logs/demo/{N8GPD}/keycloak.log"),
        (J6P5H, True, f"logs/demo/{J6P5H}/keycloak.log"),
    }
    text = (out / f"logs/demo/{N8GPD}/keycloak.log").read_text()
    assert (
        "2020-10-20T07:26:27.828000000Z 07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService "
        f"Thread Pool -- 60) {N8GPD}: no members discovered after 3321 ms: creating cluster as coordinator\n"
    ) in text
    services = json.loads((out / "objects/services.json").read_text())["items"]
    assert [s["metadata"]["name"] for s in services] == ["keycloak-demo"]
    assert sorted(p["name"] for p in manifest["pods"]) == sorted([N8GPD, J6P5H])

    from jgview.pipeline import AnalyzeOptions, analyze

    again = analyze([str(out)], AnalyzeOptions())
    assert again.verdict.value == "split"
    assert "R1-dns-service-not-headless" in {f.id for f in again.findings}


def test_a_restarted_container_is_followed_again_as_a_new_incarnation(stub: KubeStub) -> None:
    stub.set_scenario(seed_fix_scenario())
    jg = Jgview(stub, ["-n", "demo"])
    try:
        jg.expect(both_healthy, "healthy state of both pods")
        # vv5jn is OOM-killed; its new run finds nobody and creates a cluster of its own
        reboot = seed_boot_log(
            VV5JN,
            "2020-10-20T07:52:10.512Z",
            created_ms=3004,
            ip="10.128.2.22",
            view=f"[{VV5JN}|0] (1) [{VV5JN}]",
        )
        stub.restart_container("demo", VV5JN, "keycloak", reboot)
        split = jg.expect(lambda d: d.get("change") == "split", "split after the restart")
        assert jg.p.poll() is None
        assert seen_by(split) == [[MVRFG], [VV5JN]]
        assert len(follows(stub, VV5JN)) == 2 and len(follows(stub, MVRFG)) == 1
        final, code = jg.interrupt()
        assert code == 1 and final["verdict"] == "split"
    finally:
        jg.close()


def test_a_dropped_follow_is_resumed_without_repeating_lines_and_sigint_gives_the_analysis_code(
    stub: KubeStub,
) -> None:
    sc = seed_fix_scenario()
    stub.set_scenario(sc)
    jg = Jgview(stub, ["-n", "demo"])
    try:
        jg.expect(both_healthy, "healthy state of both pods")
        stub.end_log_stream(f"demo/{MVRFG}/keycloak")  # the connection drops; the pod runs on
        wait_for(lambda: len(follows(stub, MVRFG)) == 2, "the follow being resumed")
        resumed = follows(stub, MVRFG)[1]["query"]
        assert resumed.get("sinceTime", "").startswith("2020-10-20T07:")
        view = f"ISPN000094: Received new cluster view for channel ejb: [{MVRFG}|2] (2) [{MVRFG}, {VV5JN}]"
        stub.append_log(  # on the resumed stream
            f"demo/{MVRFG}/keycloak",
            [("2020-10-20T07:58:00.001Z", f"07:58:00,001 INFO  [org.infinispan.CLUSTER] (thread-7) {view}")],
        )
        changed = jg.expect(
            lambda d: any(
                cl["view_id"] == f"[{MVRFG}|2]" for ch in d.get("channels", []) for cl in ch["clusters"]
            ),
            "the new view",
        )
        assert changed["verdict"] == "healthy"
        final, code = jg.interrupt()
    finally:
        jg.close()
    assert final["verdict"] == "healthy" and code == 0 == final["exit_code"]
    total = sum(len(lines) for lines in sc["logs"].values())
    assert final["stats"]["lines"] == total  # nothing read twice after the resume, nothing lost


def test_follows_are_bounded_and_a_failing_log_is_reported_once(stub: KubeStub) -> None:
    sc = seed_fix_scenario()
    broken = "keycloak-demo-1-zzzzz"
    sc["objects"]["pods"].append(make_pod(broken, ip="10.128.2.23"))
    sc["log_errors"] = {f"demo/{broken}/keycloak": (500, "etcdserver: leader changed")}
    stub.set_scenario(sc)
    jg = Jgview(stub, ["-n", "demo", "--max-log-requests", "2"])
    try:
        jg.expect(both_healthy, "healthy state of the first two pods")
        wait_for(lambda: any("--max-log-requests" in line for line in jg.stderr), "the limit warning")
        [warning] = [line for line in jg.stderr if "--max-log-requests" in line]
        assert "3 containers match" in warning and broken in warning and "not followed" in warning
        assert follows(stub, broken) == []
        # vv5jn goes away: its slot goes to the third pod, whose log keeps failing
        stub.delete_pod("demo", VV5JN)
        wait_for(lambda: len(follows(stub, broken)) >= 3, "the failing log being tried again")
        final, code = jg.interrupt()
    finally:
        jg.close()
    assert stub.max_inflight_logs <= 2
    about = [line for line in jg.stderr if broken in line and "--max-log-requests" not in line]
    assert len(about) == 1, jg.stderr
    assert "cannot follow the log of demo/keycloak-demo-1-zzzzz/keycloak" in about[0]
    assert "etcdserver: leader changed" in about[0]
    assert final["verdict"] != "split" and any(broken in p for p in final.get("problems", [])), (
        final["problems"],
        final["exit_code"],
    )
    assert code == final["exit_code"] == 2  # incomplete evidence: an input error


# --------------------------------------------------------------------------------------------
# usage, and the pieces without a server


def run_cli(args: list[str]) -> Any:
    from jgview.commands.collect import app

    return CliRunner().invoke(app, args)


def test_poll_interval_needs_follow() -> None:
    res = run_cli(["-l", "app=keycloak", "--poll-interval", "1"])
    assert res.exit_code == 2 and "--poll-interval needs -f/--follow" in res.output


def test_follow_in_a_missing_namespace_is_a_usage_error(
    stub: KubeStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(stub.home))
    monkeypatch.setenv("KUBECONFIG", str(stub.kubeconfig))
    res = run_cli(["-f", "-l", "app=keycloak", "-n", "nope"])
    assert res.exit_code == 2 and 'namespace "nope" does not exist' in res.output
    assert follows(stub, N8GPD) == []


def _run(restarts: int = 0, incarnation: str = "uid-a/containerd://a") -> _Run:
    return _Run("demo", "kc-0", "keycloak", incarnation=incarnation, restarts=restarts, order=1)


def test_what_counts_as_a_new_container_run() -> None:
    assert _restarted(_run(), "uid-a/containerd://b", 1)  # restartCount grew
    assert _restarted(_run(), "uid-a/containerd://b", 0)  # another container ID
    assert _restarted(_run(3), "uid-b/containerd://c", 0)  # the pod was recreated under its name
    assert not _restarted(_run(), "uid-a/containerd://a", 0)
    run = _run(0, "restart:0")
    assert not _restarted(run, "uid-a/containerd://a", 0)  # an ID showing up is not a restart
    assert run.incarnation == "uid-a/containerd://a"
    assert not _restarted(_run(), "restart:0", 0)  # nor one vanishing from a status


@pytest.mark.parametrize(
    "pod",
    [
        {},
        {"spec": None, "status": "x"},
        {
            "spec": {"containers": [None, {"name": 3}, {}]},
            "status": {"containerStatuses": [1, {"restartCount": "many"}]},
        },
        {
            "metadata": [],
            "spec": {"containers": [{"name": "kc"}]},
            "status": {"containerStatuses": [{"name": "kc", "state": "on"}]},
        },
    ],
)
def test_odd_pod_objects_do_not_crash(pod: dict[str, Any]) -> None:
    for name, running, inc, restarts in containers_of(pod):
        assert isinstance(name, str) and running is False and isinstance(restarts, int) and inc


def test_running_state_of_containers() -> None:
    pod = make_pod("kc-0", restart_count=2)
    [(name, running, inc, restarts)] = containers_of(pod)
    assert (name, running, restarts) == ("keycloak", True, 2) and inc.startswith("uid-kc-0/containerd://")
    pod["metadata"]["deletionTimestamp"] = "2020-10-20T08:00:00Z"  # terminating: still logging its stop
    assert [r for _, r, _, _ in containers_of(pod)] == [True]
    pod["status"]["phase"] = "Failed"
    assert [r for _, r, _, _ in containers_of(pod)] == [False]
    pod = make_pod("kc-1")
    pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    assert [r for _, r, _, _ in containers_of(pod)] == [False]
