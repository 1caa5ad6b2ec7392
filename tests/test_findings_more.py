"""Findings that depend on what the logs say about discovery, and on --expect."""

from __future__ import annotations

from jgview.pipeline import AnalyzeOptions, analyze


def _pod_log(pod: str, node: str, stack: str, sec: int) -> str:
    ts = f"2025-03-01 10:0{sec}:00"
    return (
        f"{ts},100 INFO  [org.infinispan.CLUSTER] (main) ISPN000078: Starting JGroups channel `ISPN` with stack `{stack}`\n"
        f"{ts},200 INFO  [org.jgroups.protocols.pbcast.GMS] (main) {node}: no members discovered after 2004 ms: "
        "creating cluster as coordinator\n"
        f"{ts},300 INFO  [org.infinispan.CLUSTER] (main) ISPN000094: Received new cluster view for channel ISPN: "
        f"[{node}|0] (1) [{node}]\n"
        f"{ts},400 INFO  [org.infinispan.CLUSTER] (main) ISPN000079: Channel `ISPN` local address is `{node}`, "
        f"physical addresses are `[10.128.0.{sec + 10}:7800]`\n"
        f"2025-03-01 10:09:00,000 INFO  [io.quarkus] (main) still running\n"
    )


def _ids(tmp_path, stack: str) -> set[str]:
    for i in range(2):
        (tmp_path / f"keycloak-{i}.log").write_text(_pod_log(f"keycloak-{i}", f"keycloak-{i}-{100 + i}", stack, i + 1))
    a = analyze([str(tmp_path)], AnalyzeOptions())
    assert a.verdict.value == "split"
    return {f.id for f in a.findings if f.severity.value == "error"}


def test_lonely_pods_under_jdbc_ping_are_not_blamed_on_a_dns_service(tmp_path):
    ids = _ids(tmp_path, "jdbc-ping")
    assert "R1-no-members-jdbc-ping" in ids
    assert "R1-dns-ping-clusterip" not in ids


def test_lonely_pods_under_the_kubernetes_stack_are_r1(tmp_path):
    ids = _ids(tmp_path, "kubernetes")
    assert "R1-dns-ping-clusterip" in ids
    assert "R1-no-members-jdbc-ping" not in ids


def test_expect_not_met_is_explained(tmp_path):
    (tmp_path / "keycloak-0.log").write_text(_pod_log("keycloak-0", "keycloak-0-100", "kubernetes", 1))
    a = analyze([str(tmp_path)], AnalyzeOptions(expect=3))
    assert a.verdict.value == "split"
    f = next(f for f in a.findings if f.id == "expect-not-met")
    assert "3 are expected" in f.summary and f.severity.value == "error"
    assert analyze([str(tmp_path)], AnalyzeOptions(expect=1)).verdict.value == "alone"


def test_lonely_containers_under_docker_compose_get_a_compose_fix(tmp_path):
    lines = []
    for i, node in ((1, "3f2a9c1b7d4e-29012"), (2, "9c2d4b7a1e3f-41877")):
        for line in _pod_log(f"keycloak-{i}", node, "kubernetes", i).splitlines():
            lines.append(f"keycloak-{i}  | {line}")
    (tmp_path / "compose.log").write_text("\n".join(lines) + "\n")
    a = analyze([str(tmp_path)], AnalyzeOptions())
    assert a.verdict.value == "split"
    ids = {f.id for f in a.findings if f.severity.value == "error"}
    assert "R1-no-members-compose" in ids and "R1-dns-ping-clusterip" not in ids
    fix = next(f for f in a.findings if f.id == "R1-no-members-compose").remediation
    assert "dns_query=keycloak" in fix and "kubectl" not in fix
