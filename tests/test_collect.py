"""``jgview collect`` against a stand-in API server, driving the real kubectl binary.

HOME and KUBECONFIG point at temporary files for every kubectl run: never the user's.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

try:
    from k8s_stub import (
        TOKEN,
        KubeStub,
        kube_ping_forbidden_scenario,
        make_pod,
        restarted_pod_scenario,
        seed_boot_log,
        seed_fix_scenario,
        seed_split_scenario,
    )
except ImportError:  # tests/ used as a package
    from tests.k8s_stub import (  # type: ignore[no-redef]
        TOKEN,
        KubeStub,
        kube_ping_forbidden_scenario,
        make_pod,
        restarted_pod_scenario,
        seed_boot_log,
        seed_fix_scenario,
        seed_split_scenario,
    )

from jgview import bundle
from jgview.collect import (
    CollectError,
    CollectOptions,
    Kubectl,
    KubectlNotFound,
    NoPodsError,
    collect,
    find_kubectl,
)
from jgview.collect.kube import classify
from jgview.collect.redact import REDACTED, is_secret_name, redact_args, redact_object, redact_text
from jgview.objects import check_objects

KUBECTL = shutil.which("kubectl")
kubectl_test = pytest.mark.kubectl
"""Tests that run the real kubectl against the stub (skipped by the ``stub`` fixture without it)."""


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if KUBECTL is None:
        pytest.skip("needs the kubectl binary")
    with KubeStub(seed_split_scenario(), tmp_path_factory.mktemp("kube")) as s:
        yield s


@pytest.fixture
def kenv(stub: KubeStub, monkeypatch: pytest.MonkeyPatch) -> KubeStub:
    """The stub, with HOME and KUBECONFIG of this process pointing at its temporary files."""
    monkeypatch.setenv("HOME", str(stub.home))
    monkeypatch.setenv("KUBECONFIG", str(stub.kubeconfig))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return stub


def gather(stub: KubeStub, out: Path, scenario: dict[str, Any], **opts: Any) -> Any:
    stub.set_scenario(scenario)
    assert KUBECTL is not None
    kube = Kubectl(KUBECTL, env=stub.env())
    options = CollectOptions(
        selector=opts.pop("selector", "app=keycloak"), namespace=opts.pop("namespace", "demo"), **opts
    )
    return collect(kube, out, options, progress=False)


def run_cli(args: list[str]) -> Any:
    from jgview.commands.collect import app

    return CliRunner().invoke(app, args)


def all_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def log_requests(stub: KubeStub) -> list[dict[str, Any]]:
    return [r for r in stub.requests if r["path"].endswith("/log")]


# --------------------------------------------------------------------------------------------
# gathering against the stub


@kubectl_test
def test_seed_split_bundle_has_full_timestamped_logs_and_objects(stub: KubeStub, tmp_path: Path) -> None:
    res = gather(stub, tmp_path / "b", seed_split_scenario())
    m = res.manifest
    assert m["selector"] == "app=keycloak" and m["namespace"] == "demo" and m["context"] == "stub"
    assert m["kubectl"]["client"] and m["kubectl"]["server"] == "v1.32.4-stub"
    assert m["expect"] == 2 and m["failures"] == []
    assert {(e["pod"], e["previous"], e["ok"]) for e in m["logs"]} == {
        ("keycloak-demo-1-n8gpd", False, True),
        ("keycloak-demo-1-j6p5h", False, True),
    }
    # whole logs with kubelet timestamps, never kubectl's default tail
    reqs = log_requests(stub)
    assert len(reqs) == 2
    assert all(
        r["query"].get("timestamps") == "true"
        and "tailLines" not in r["query"]
        and "previous" not in r["query"]
        for r in reqs
    )
    log = (tmp_path / "b" / "logs/demo/keycloak-demo-1-n8gpd/keycloak.log").read_text()
    assert log.splitlines()[0].startswith(
        "2020-10-20T07:26:18.028000000Z 07:26:18,028 INFO  [org.jboss.modules]"
    )
    assert (
        "2020-10-20T07:26:27.828000000Z 07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService "
        "Thread Pool -- 60) keycloak-demo-1-n8gpd: no members discovered after 3321 ms: creating cluster as "
        "coordinator"
    ) in log
    # objects as JSON, and the checks see the seed's cause from the cluster alone
    objs = bundle.load_objects(tmp_path / "b")
    assert [s["metadata"]["name"] for s in objs["services"]] == ["keycloak-demo"]
    assert [d["metadata"]["name"] for d in objs["deployments"]] == ["keycloak-demo"]
    assert len(objs["endpoints"]) == 1 and len(objs["pods"]) == 2
    r1 = [f for f in check_objects(objs, []) if f.id == "R1-dns-service-not-headless"]
    assert len(r1) == 1 and "demo/keycloak-demo" in r1[0].summary and "172.25.250.178" in r1[0].summary
    assert {b.pod for b in bundle.bundle_inputs(tmp_path / "b")} == {
        "keycloak-demo-1-n8gpd",
        "keycloak-demo-1-j6p5h",
    }


@kubectl_test
def test_seed_fix_has_no_discovery_error(stub: KubeStub, tmp_path: Path) -> None:
    res = gather(stub, tmp_path / "b", seed_fix_scenario())
    objs = bundle.load_objects(tmp_path / "b")
    assert {s["metadata"]["name"] for s in objs["services"]} == {"keycloak-demo", "keycloak-demo-discovery"}
    findings = check_objects(objs, [])
    assert [f.id for f in findings if f.severity.value == "error"] == []
    assert res.manifest["expect"] == 2


@kubectl_test
def test_kube_ping_forbidden_asks_can_i_as_the_service_account(stub: KubeStub, tmp_path: Path) -> None:
    gather(stub, tmp_path / "b", kube_ping_forbidden_scenario())
    reviews = [r for r in stub.requests if r["path"].endswith("/selfsubjectaccessreviews")]
    assert len(reviews) == 1
    assert reviews[0]["headers"].get("Impersonate-User") == "system:serviceaccount:demo:keycloak"
    can_i = json.loads((tmp_path / "b/objects/can_i.json").read_text())
    assert can_i == [
        {
            "allowed": False,
            "namespace": "demo",
            "pods": ["keycloak-demo-1-j6p5h", "keycloak-demo-1-n8gpd"],
            "resource": "pods",
            "serviceaccount": "keycloak",
            "serviceaccount_namespace": "demo",
            "user": "system:serviceaccount:demo:keycloak",
            "verb": "list",
        }
    ]
    r3 = [f for f in check_objects(bundle.load_objects(tmp_path / "b"), []) if f.id == "R3-kube-ping-rbac"]
    assert len(r3) == 1 and r3[0].severity.value == "error"
    assert "demo/keycloak" in r3[0].summary and "list pods" in r3[0].summary
    assert "kind: RoleBinding" in r3[0].remediation and "name: keycloak" in r3[0].remediation


@kubectl_test
def test_kube_ping_in_a_mounted_stack_is_checked_too(stub: KubeStub, tmp_path: Path) -> None:
    sc = kube_ping_forbidden_scenario()
    for p in sc["objects"]["pods"]:
        p["spec"]["containers"][0]["env"] = []
        p["spec"]["volumes"] = [{"name": "stack", "configMap": {"name": "jgroups-stack"}}]
    sc["objects"]["configmaps"] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "jgroups-stack", "namespace": "demo"},
            "data": {"tcp.xml": '<kubernetes.KUBE_PING namespace="demo" labels="app=keycloak"/>'},
        }
    ]
    gather(stub, tmp_path / "b", sc)
    [entry] = json.loads((tmp_path / "b/objects/can_i.json").read_text())
    assert (entry["serviceaccount"], entry["allowed"]) == ("keycloak", False)
    found = {f.id for f in check_objects(bundle.load_objects(tmp_path / "b"), [])}
    assert "R3-kube-ping-rbac" in found


@kubectl_test
def test_split_scenario_does_not_ask_can_i(stub: KubeStub, tmp_path: Path) -> None:
    gather(stub, tmp_path / "b", seed_split_scenario())
    assert not [r for r in stub.requests if r["path"].endswith("/selfsubjectaccessreviews")]
    assert json.loads((tmp_path / "b/objects/can_i.json").read_text()) == []


@kubectl_test
def test_restarted_pod_gets_its_previous_log(stub: KubeStub, tmp_path: Path) -> None:
    console_out = io.StringIO()
    stub.set_scenario(restarted_pod_scenario())
    assert KUBECTL is not None
    res = collect(
        Kubectl(KUBECTL, env=stub.env()),
        tmp_path / "b",
        CollectOptions(selector="app=keycloak", namespace="demo"),
        console=Console(file=console_out, force_terminal=True, width=100),
        progress=True,
    )
    prev = [r for r in log_requests(stub) if r["query"].get("previous") == "true"]
    assert [r["path"] for r in prev] == ["/api/v1/namespaces/demo/pods/keycloak-demo-1-j6p5h/log"]
    entries = {(e["pod"], e["previous"]): e for e in res.manifest["logs"]}
    assert (
        entries[("keycloak-demo-1-j6p5h", True)]["path"]
        == "logs/demo/keycloak-demo-1-j6p5h/keycloak.previous.log"
    )
    text = (tmp_path / "b" / entries[("keycloak-demo-1-j6p5h", True)]["path"]).read_text()
    assert "2020-10-20T07:20:10.412000000Z 07:20:10,412 INFO  [org.jgroups.protocols.pbcast.GMS]" in text
    assert ("keycloak-demo-1-n8gpd", True) not in entries
    inputs = bundle.bundle_inputs(tmp_path / "b")
    assert [(b.pod, b.previous) for b in inputs if b.previous] == [("keycloak-demo-1-j6p5h", True)]
    r14 = [
        f for f in check_objects(bundle.load_objects(tmp_path / "b"), []) if f.id == "R14-restarts-oomkilled"
    ]
    assert len(r14) == 1 and "OOMKilled" in r14[0].summary
    assert any("Back-off restarting" in e.text for e in r14[0].evidence)
    # the progress bar went to the (terminal) console it was given: 5 steps (version, objects, 3 logs)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", console_out.getvalue())
    assert "━" in shown and "5/5" in shown


@kubectl_test
def test_no_previous_skips_previous_logs(stub: KubeStub, tmp_path: Path) -> None:
    res = gather(stub, tmp_path / "b", restarted_pod_scenario(), previous=False)
    assert not [r for r in log_requests(stub) if r["query"].get("previous")]
    assert all(not e["previous"] for e in res.manifest["logs"])


@kubectl_test
def test_since_and_since_time_are_passed_to_kubectl(stub: KubeStub, tmp_path: Path) -> None:
    gather(stub, tmp_path / "a", seed_split_scenario(), since="1h")
    assert {r["query"].get("sinceSeconds") for r in log_requests(stub)} == {"3600"}
    res = gather(stub, tmp_path / "b", seed_split_scenario(), since_time="2020-10-20T07:30:00Z")
    assert {r["query"].get("sinceTime") for r in log_requests(stub)} == {"2020-10-20T07:30:00Z"}
    sizes = {e["pod"]: e["bytes"] for e in res.manifest["logs"]}
    assert sizes["keycloak-demo-1-n8gpd"] == 0 and sizes["keycloak-demo-1-j6p5h"] > 0


@kubectl_test
@pytest.mark.parametrize(
    "since,since_time", [("yesterday", None), (None, "10/20/2020"), ("1h", "2020-10-20T07:30:00Z")]
)
def test_bad_since_is_a_usage_error(
    stub: KubeStub, tmp_path: Path, since: str | None, since_time: str | None
) -> None:
    with pytest.raises(CollectError) as exc:
        gather(stub, tmp_path / "b", seed_split_scenario(), since=since, since_time=since_time)
    assert exc.value.exit_code == 2
    assert not (tmp_path / "b").exists()


@kubectl_test
def test_one_failing_log_is_recorded_and_the_others_are_kept(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["log_errors"] = {"demo/keycloak-demo-1-j6p5h/keycloak": (500, "container runtime is gone")}
    res = gather(stub, tmp_path / "b", sc)
    ok = [e for e in res.manifest["logs"] if e["ok"]]
    assert [e["pod"] for e in ok] == ["keycloak-demo-1-n8gpd"]
    [fail] = res.manifest["failures"]
    assert fail["kind"] == "logs" and fail["pod"] == "keycloak-demo-1-j6p5h"
    assert "container runtime is gone" in fail["reason"]
    assert not (tmp_path / "b/logs/demo/keycloak-demo-1-j6p5h/keycloak.log").exists()


@kubectl_test
def test_a_forbidden_object_kind_is_recorded_and_the_rest_collected(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["forbidden_resources"] = ["networkpolicies"]
    res = gather(stub, tmp_path / "b", sc)
    [fail] = res.manifest["failures"]
    assert fail["kind"] == "networkpolicies" and fail["reason"].startswith(
        'forbidden: user "developer" may not list networkpolicies.networking.k8s.io in namespace "demo"'
    )
    objs = bundle.load_objects(tmp_path / "b")
    assert len(objs["services"]) == 1 and len(objs["deployments"]) == 1 and objs["networkpolicies"] == []
    assert len([e for e in res.manifest["logs"] if e["ok"]]) == 2


@kubectl_test
def test_an_unattributable_object_failure_falls_back_to_one_call_per_kind(
    stub: KubeStub, tmp_path: Path
) -> None:
    sc = seed_split_scenario()
    sc["broken_resources"] = ["configmaps"]
    res = gather(stub, tmp_path / "b", sc)
    assert [(f["kind"], f["resource"]) for f in res.manifest["failures"]] == [("configmaps", "configmaps")]
    assert "etcdserver: request timed out" in res.manifest["failures"][0]["reason"]
    objs = bundle.load_objects(tmp_path / "b")
    assert len(objs["services"]) == 1 and len(objs["replicasets"]) == 1


@kubectl_test
def test_log_requests_are_bounded_by_max_log_requests(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    env = sc["objects"]["pods"][0]["spec"]["containers"][0]["env"]
    sc["objects"]["pods"] = [make_pod(f"keycloak-demo-1-p{i}", env=env, ip=f"10.128.3.{i}") for i in range(6)]
    sc["logs"] = {
        f"demo/keycloak-demo-1-p{i}/keycloak": seed_boot_log(
            f"keycloak-demo-1-p{i}",
            f"2020-10-20T07:4{i}:00.000Z",
            created_ms=3000,
            view=f"[keycloak-demo-1-p{i}|0] (1) [keycloak-demo-1-p{i}]",
        )
        for i in range(6)
    }
    sc["log_delay"] = 0.25
    res = gather(stub, tmp_path / "b", sc, max_log_requests=2)
    assert len([e for e in res.manifest["logs"] if e["ok"]]) == 6
    assert 1 <= stub.max_inflight_logs <= 2


@kubectl_test
def test_all_namespaces_lists_pods_cluster_wide(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    other = make_pod("keycloak-other-0", namespace="other", ip="10.129.0.5", owner=None)
    sc["objects"]["pods"].append(other)
    sc["namespaces"].append("other")
    sc["logs"]["other/keycloak-other-0/keycloak"] = seed_boot_log(
        "keycloak-other-0",
        "2020-10-20T07:50:00.000Z",
        created_ms=3000,
        view="[keycloak-other-0|0] (1) [keycloak-other-0]",
    )
    res = gather(stub, tmp_path / "b", sc, namespace=None, all_namespaces=True)
    assert any(
        r["path"] == "/api/v1/pods" and r["query"].get("labelSelector") == "app=keycloak"
        for r in stub.requests
    )
    assert res.manifest["namespaces"] == ["demo", "other"] and res.manifest["namespace"] is None
    assert {r["path"] for r in stub.requests if r["path"].endswith("/services")} == {
        "/api/v1/namespaces/demo/services",
        "/api/v1/namespaces/other/services",
    }
    assert {(e["namespace"], e["pod"]) for e in res.manifest["logs"]} >= {("other", "keycloak-other-0")}


@kubectl_test
def test_default_namespace_comes_from_the_context(stub: KubeStub, tmp_path: Path) -> None:
    res = gather(stub, tmp_path / "b", seed_split_scenario(), namespace=None)
    assert res.manifest["namespace"] == "demo"
    assert any(r["path"] == "/api/v1/namespaces/demo/pods" for r in stub.requests)


@kubectl_test
def test_pod_names_never_write_outside_the_bundle(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["objects"]["pods"].append(make_pod("../../../../escape", ip="10.128.2.40"))
    sc["objects"]["pods"].append(make_pod("../../x", ip="10.128.2.41"))
    sc["logs"]["demo/../../../../escape/keycloak"] = [("2020-10-20T07:40:00Z", "escaped")]
    out = tmp_path / "deep" / "b"
    res = gather(stub, out, sc)
    assert {p.name for p in tmp_path.iterdir()} == {"deep"}
    assert {p.name for p in (tmp_path / "deep").iterdir()} == {"b"}
    assert not (tmp_path / "escape").exists() and not (tmp_path.parent / "escape").exists()
    for e in res.manifest["logs"]:
        assert bundle.inside(out, out / e["path"])
    for p in out.rglob("*"):
        assert bundle.inside(out, p)
    failed = {f["pod"] for f in res.manifest["failures"] if f["kind"] == "logs"}
    assert failed == {"../../../../escape", "../../x"}
    assert {p["metadata"]["name"] for p in bundle.load_objects(out)["pods"]} >= {"../../x"}


@kubectl_test
def test_secrets_are_redacted_and_the_token_never_written(stub: KubeStub, tmp_path: Path) -> None:
    secrets = [
        "adminpw-111",
        "dbpw-222",
        "tok-333",
        "sec-444",
        "key-555",
        "argpw-666",
        "dpw-777",
        "sep-888",
        "tspw-999",
        "cmpw-000",
    ]
    env = [
        {"name": "KEYCLOAK_ADMIN_PASSWORD", "value": "adminpw-111"},
        {"name": "DB_PASSWORD", "value": "dbpw-222"},
        {"name": "GITHUB_TOKEN", "value": "tok-333"},
        {"name": "CLIENT_SECRET", "value": "sec-444"},
        {"name": "SIGNING_KEY", "value": "key-555"},
        {"name": "DB_PASSWORD_REF", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
        {
            "name": "JAVA_OPTS_APPEND",
            "value": "-Djgroups.dns.query=keycloak-demo.demo.svc.cluster.local "
            "-Djavax.net.ssl.trustStorePassword=tspw-999",
        },
        {"name": "JGROUPS_DISCOVERY_PROTOCOL", "value": "dns.DNS_PING"},
    ]
    args = [
        "start",
        "--db-password=argpw-666",
        "-Dfoo.password=dpw-777",
        "--db-password",
        "sep-888",
        "--optimized",
    ]
    sc = seed_split_scenario()
    for p in sc["objects"]["pods"]:
        c = p["spec"]["containers"][0]
        c["env"], c["args"] = env, args
        c["volumeMounts"] = [{"name": "jgroups", "mountPath": "/opt/jgroups"}]
        p["spec"]["volumes"] = [{"name": "jgroups", "configMap": {"name": "jgroups-stack"}}]
        p["metadata"]["annotations"] = {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                {"spec": {"containers": [{"name": "keycloak", "env": env, "args": args}]}}
            )
        }
    sc["objects"]["configmaps"] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "jgroups-stack", "namespace": "demo"},
            "data": {
                "jgroups.xml": '<dns.DNS_PING dns_query="keycloak-demo.demo.svc.cluster.local"/>\n'
                '<AUTH auth_value="x" keystore_password="cmpw-000"/>'
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "unrelated", "namespace": "demo"},
            "data": {"app.properties": "color=blue"},
        },
    ]
    res = gather(stub, tmp_path / "b", sc)
    text = all_text(tmp_path / "b")
    for s in secrets:
        assert s not in text, s
    assert TOKEN not in text
    assert REDACTED in text
    objs = bundle.load_objects(tmp_path / "b")
    pod_env = {e["name"]: e.get("value") for e in objs["pods"][0]["spec"]["containers"][0]["env"]}
    assert pod_env["KEYCLOAK_ADMIN_PASSWORD"] == REDACTED and pod_env["SIGNING_KEY"] == REDACTED
    assert "-Djgroups.dns.query=keycloak-demo.demo.svc.cluster.local" in pod_env["JAVA_OPTS_APPEND"]
    assert pod_env["JGROUPS_DISCOVERY_PROTOCOL"] == "dns.DNS_PING"
    assert objs["pods"][0]["spec"]["containers"][0]["env"][5]["valueFrom"]["secretKeyRef"] == {
        "name": "db",
        "key": "password",
    }
    assert [c["metadata"]["name"] for c in objs["configmaps"]] == ["jgroups-stack"]
    assert res.manifest["failures"] == []
    # the redacted objects still carry the discovery configuration the checks need
    assert any(f.id == "R1-dns-service-not-headless" for f in check_objects(objs, []))


# --------------------------------------------------------------------------------------------
# failures against the stub


@kubectl_test
def test_forbidden_namespace_names_verb_and_resource(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["forbidden_namespaces"] = ["secret"]
    with pytest.raises(CollectError) as exc:
        gather(stub, tmp_path / "b", sc, namespace="secret")
    assert exc.value.exit_code == 2
    msg = exc.value.message
    assert msg.startswith('forbidden: user "developer" may not list pods in namespace "secret"')
    assert not (tmp_path / "b").exists()


@kubectl_test
def test_no_matching_pod_echoes_the_selector(stub: KubeStub, tmp_path: Path) -> None:
    with pytest.raises(NoPodsError) as exc:
        gather(stub, tmp_path / "b", seed_split_scenario(), selector="app=nothing")
    assert exc.value.exit_code == 3
    assert '"app=nothing"' in exc.value.message and '"demo"' in exc.value.message


@kubectl_test
def test_missing_namespace(stub: KubeStub, tmp_path: Path) -> None:
    with pytest.raises(CollectError) as exc:
        gather(stub, tmp_path / "b", seed_split_scenario(), namespace="nope")
    assert exc.value.exit_code == 2 and 'namespace "nope" does not exist' in exc.value.message


@kubectl_test
def test_not_logged_in(stub: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["unauthorized"] = True
    with pytest.raises(CollectError) as exc:
        gather(stub, tmp_path / "b", sc)
    assert exc.value.message.startswith("not logged in to the cluster")


@kubectl_test
def test_unreachable_cluster(stub: KubeStub, tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    cfg = tmp_path / "kubeconfig"
    cfg.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "dead",
                "clusters": [{"name": "dead", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [
                    {"name": "dead", "context": {"cluster": "dead", "user": "u", "namespace": "demo"}}
                ],
            }
        )
    )
    assert KUBECTL is not None
    kube = Kubectl(KUBECTL, kubeconfig=str(cfg), env=stub.env(), request_timeout="5s")
    with pytest.raises(CollectError) as exc:
        collect(kube, tmp_path / "b", CollectOptions(selector="app=keycloak"), progress=False)
    assert exc.value.message.startswith("cannot reach the cluster: ")
    assert str(port) in exc.value.message


@kubectl_test
def test_unknown_context_is_a_kubeconfig_problem(stub: KubeStub, tmp_path: Path) -> None:
    assert KUBECTL is not None
    kube = Kubectl(KUBECTL, context="no-such-context", env=stub.env())
    with pytest.raises(CollectError) as exc:
        collect(kube, tmp_path / "b", CollectOptions(selector="app=keycloak"), progress=False)
    assert exc.value.message.startswith("kubeconfig problem: ") and "no-such-context" in exc.value.message


# --------------------------------------------------------------------------------------------
# the CLI command (end to end: collect, print the analysis, re-analyze the bundle)


@kubectl_test
def test_cli_seed_split_end_to_end(kenv: KubeStub, tmp_path: Path) -> None:
    kenv.set_scenario(seed_split_scenario())
    out = tmp_path / "bundle"
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(out), "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert "SPLIT" in res.stdout.upper()
    assert "keycloak-demo" in res.stdout and "172.25.250.178" in res.stdout
    assert "R1-dns-service-not-headless" in res.stdout
    assert f"jgview {out}" in res.stderr
    assert (out / "manifest.json").is_file()
    # the same verdict from the bundle alone, offline
    js = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(out), "--json"])  # re-collect into the bundle
    assert js.exit_code == 1, js.output
    doc = json.loads(js.stdout)
    assert doc["verdict"] == "split"
    from jgview.pipeline import AnalyzeOptions, analyze

    again = analyze([str(out)], AnalyzeOptions())
    assert again.verdict.value == doc["verdict"] == "split"
    assert {f.id for f in again.findings} == {f["id"] for f in doc["findings"]}
    assert again.exit_code == 1


@kubectl_test
def test_jgview_bundle_reanalyzes_through_the_entry_point(kenv: KubeStub, tmp_path: Path) -> None:
    kenv.set_scenario(seed_split_scenario())
    out = tmp_path / "bundle"
    first = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(out), "--json", "--no-progress"])
    assert first.exit_code == 1, first.output
    proc = subprocess.run(
        [sys.executable, "-m", "jgview", str(out), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(kenv.home)},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == json.loads(first.stdout)["verdict"] == "split"
    r1 = [f for f in doc["findings"] if f["id"] == "R1-dns-service-not-headless"]
    assert r1 and "172.25.250.178" in r1[0]["summary"]
    ev = r1[0]["evidence"][0]
    assert (ev["source"], ev["line"], ev["text"]) == (
        "objects/services.json",
        0,
        "Service demo/keycloak-demo clusterIP=172.25.250.178 (not headless) type=ClusterIP",
    )


@kubectl_test
def test_cli_blames_the_service_even_when_the_logs_rotated_away(kenv: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["logs"] = {key: lines[-2:] for key, lines in sc["logs"].items()}  # boot lines are gone
    kenv.set_scenario(sc)
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(tmp_path / "b"), "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    r1 = [f for f in doc["findings"] if f["id"] == "R1-dns-service-not-headless"]
    assert r1 and r1[0]["severity"] == "error"
    assert "demo/keycloak-demo" in r1[0]["summary"] and "172.25.250.178" in r1[0]["summary"]


@kubectl_test
def test_cli_reports_a_log_that_could_not_be_fetched(kenv: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["log_errors"] = {"demo/keycloak-demo-1-j6p5h/keycloak": (500, "container runtime is gone")}
    kenv.set_scenario(sc)
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(tmp_path / "b"), "--json"])
    assert "could not fetch log demo/keycloak-demo-1-j6p5h/keycloak: " in res.stderr
    doc = json.loads(res.stdout)
    incomplete = [f for f in doc["findings"] if f["id"] == "collect-incomplete"]
    assert incomplete and "container runtime is gone" in incomplete[0]["summary"]


@kubectl_test
def test_cli_seed_fix_is_one_cluster(kenv: KubeStub, tmp_path: Path) -> None:
    kenv.set_scenario(seed_fix_scenario())
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(tmp_path / "b"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["verdict"] == "healthy"
    assert not [f for f in doc["findings"] if f["severity"] == "error"]


@kubectl_test
def test_cli_forbidden_namespace(kenv: KubeStub, tmp_path: Path) -> None:
    sc = seed_split_scenario()
    sc["forbidden_namespaces"] = ["secret"]
    kenv.set_scenario(sc)
    res = run_cli(["-l", "app=keycloak", "-n", "secret", "-o", str(tmp_path / "b")])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr.startswith(
        'jgview collect: forbidden: user "developer" may not list pods in namespace "secret"'
    )
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output


@kubectl_test
def test_cli_selector_matching_nothing(kenv: KubeStub, tmp_path: Path) -> None:
    kenv.set_scenario(seed_split_scenario())
    res = run_cli(["-l", "app=nothing", "-n", "demo", "-o", str(tmp_path / "b")])
    assert res.exit_code == 3
    assert 'no pod matches the selector "app=nothing"' in res.stderr and "Traceback" not in res.output


@kubectl_test
def test_cli_without_kubectl(kenv: KubeStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where the default bundle directory would go
    res = run_cli(["-l", "app=keycloak", "--kubectl", str(tmp_path / "nowhere" / "kubectl")])
    assert res.exit_code == 2
    assert "--kubectl" in res.stderr and "Traceback" not in res.output
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    res = run_cli(["-l", "app=keycloak", "-n", "demo"])
    assert res.exit_code == 2
    assert "neither kubectl nor oc found on PATH" in res.stderr and "--kubectl" in res.stderr
    assert not any(p.name.startswith("jgview-bundle-") for p in tmp_path.iterdir())


@kubectl_test
def test_cli_falls_back_to_oc(kenv: KubeStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert KUBECTL is not None
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "oc").symlink_to(KUBECTL)
    monkeypatch.setenv("PATH", str(bindir))
    assert find_kubectl() == str(bindir / "oc")
    kenv.set_scenario(seed_split_scenario())
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(tmp_path / "b"), "--json"])
    assert res.exit_code == 1, res.output
    manifest = json.loads((tmp_path / "b/manifest.json").read_text())
    assert manifest["kubectl"]["binary"] == str(bindir / "oc")


@kubectl_test
def test_cli_refuses_a_non_empty_directory_that_is_not_a_bundle(kenv: KubeStub, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "is not empty and is not a jgview bundle" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


@kubectl_test
def test_cli_usage_errors(kenv: KubeStub, tmp_path: Path) -> None:
    assert run_cli(["-n", "demo"]).exit_code == 2  # -l is required
    res = run_cli(["-l", "app=keycloak", "-n", "demo", "-A", "-o", str(tmp_path / "b")])
    assert res.exit_code == 2 and "cannot be used together" in res.stderr
    res = run_cli(["-l", "app=keycloak", "--since", "soon", "-o", str(tmp_path / "b")])
    assert res.exit_code == 2 and "--since" in res.stderr
    assert run_cli(["-l", "app=keycloak", "--max-log-requests", "0"]).exit_code == 2
    assert not (tmp_path / "b").exists()


@kubectl_test
def test_cli_passes_context_and_kubeconfig_through(
    kenv: KubeStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kenv.set_scenario(seed_split_scenario())
    cfg = tmp_path / "other-config"
    kenv.write_kubeconfig(cfg, namespace=None)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "does-not-exist"))
    res = run_cli(
        [
            "-l",
            "app=keycloak",
            "--kubeconfig",
            str(cfg),
            "--context",
            "stub",
            "-n",
            "demo",
            "-o",
            str(tmp_path / "b"),
            "--json",
        ]
    )
    assert res.exit_code == 1, res.output
    manifest = json.loads((tmp_path / "b/manifest.json").read_text())
    assert manifest["context"] == "stub" and manifest["server"] == kenv.url
    assert "other-config" not in (tmp_path / "b/manifest.json").read_text()


# --------------------------------------------------------------------------------------------
# pieces that need no cluster


@pytest.mark.parametrize(
    "stderr,kind,verb,resource,ns",
    [
        (
            (
                'Error from server (Forbidden): pods is forbidden: User "x" cannot list resource "pods" in API group "" '
                'in the namespace "demo"'
            ),
            "forbidden",
            "list",
            "pods",
            "demo",
        ),
        (
            (
                "Error from server (Forbidden): networkpolicies.networking.k8s.io is forbidden: "
                'User "system:serviceaccount:a:b" cannot list resource "networkpolicies" in API group "networking.k8s.io" '
                'in the namespace "a"'
            ),
            "forbidden",
            "list",
            "networkpolicies.networking.k8s.io",
            "a",
        ),
        (
            (
                'Error from server (Forbidden): pods is forbidden: User "x" cannot list resource "pods" in API group "" '
                "at the cluster scope"
            ),
            "forbidden",
            "list",
            "pods",
            None,
        ),
        (
            (
                'E1201 15:15:42.279677    4628 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API '
                'group list: the server has asked for the client to provide credentials"\nerror: You must be logged in to '
                "the server (the server has asked for the client to provide credentials)"
            ),
            "unauthorized",
            None,
            None,
            None,
        ),
        (
            "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?",
            "unreachable",
            None,
            None,
            None,
        ),
        (
            "Unable to connect to the server: dial tcp: lookup api.example.com: no such host",
            "unreachable",
            None,
            None,
            None,
        ),
        (
            'error: the server doesn\'t have a resource type "keycloaks"',
            "no-resource-type",
            None,
            "keycloaks",
            None,
        ),
        ('Error from server (NotFound): namespaces "nope" not found', "not-found", None, "namespaces", None),
        (
            'Error from server (BadRequest): previous terminated container "keycloak" in pod "kc-0" not found',
            "bad-request",
            None,
            None,
            None,
        ),
        ('error: context "prod" does not exist', "config", None, None, None),
        (
            "Error in configuration: context was not found for specified context: prod",
            "config",
            None,
            None,
            None,
        ),
        ("something odd happened", "error", None, None, None),
    ],
)
def test_kubectl_errors_are_classified(
    stderr: str, kind: str, verb: str | None, resource: str | None, ns: str | None
) -> None:
    err = classify(stderr)
    assert (err.kind, err.verb, err.resource, err.namespace) == (kind, verb, resource, ns)
    assert "\n" not in err.message and err.message


def test_find_kubectl_explains_how_to_point_at_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KubectlNotFound) as exc:
        find_kubectl()
    assert "--kubectl" in str(exc.value)
    with pytest.raises(KubectlNotFound):
        find_kubectl("oc")
    not_exec = tmp_path / "kubectl"
    not_exec.write_text("#!/bin/sh\n")
    with pytest.raises(KubectlNotFound):
        find_kubectl(str(not_exec))


REDACT_CASES = [
    ({"name": "KEYCLOAK_ADMIN_PASSWORD", "value": "v"}, True),
    ({"name": "DB_PASSWORD", "value": "v"}, True),
    ({"name": "API_TOKEN", "value": "v"}, True),
    ({"name": "OIDC_CLIENT_SECRET", "value": "v"}, True),
    ({"name": "ENCRYPTION_KEY", "value": "v"}, True),
    ({"name": "KC_HTTPS_KEY_STORE_PASSWORD", "value": "v"}, True),
    ({"name": "KEYCLOAK_ADMIN", "value": "admin"}, False),
    ({"name": "JGROUPS_DISCOVERY_PROPERTIES", "value": "dns_query=a.b.svc.cluster.local"}, False),
    ({"name": "KC_HTTPS_CERTIFICATE_KEY_FILE", "value": "/etc/tls/tls.key"}, False),
    ({"name": "KC_CACHE_STACK", "value": "kubernetes"}, False),
]


@pytest.mark.parametrize("item,hidden", REDACT_CASES, ids=[c[0]["name"] for c in REDACT_CASES])
def test_env_redaction(item: dict[str, str], hidden: bool) -> None:
    out = redact_object({"env": [item]})["env"][0]
    assert (out["value"] == REDACTED) is hidden
    if not hidden:
        assert out["value"] == item["value"]


def test_args_and_text_redaction() -> None:
    assert redact_args(
        [
            "--db-password=a1",
            "--db-password",
            "a2",
            "-Dx.password=a3",
            "--hostname=kc",
            "-Djgroups.dns.query=kc.ns.svc",
        ]
    ) == [
        "--db-password=<redacted>",
        "--db-password",
        "<redacted>",
        "-Dx.password=<redacted>",
        "--hostname=kc",
        "-Djgroups.dns.query=kc.ns.svc",
    ]
    assert (
        redact_text("jdbc:postgresql://kc:s3cret@db:5432/kc") == "jdbc:postgresql://kc:<redacted>@db:5432/kc"
    )
    assert redact_text("-Xmx1g -Djavax.net.ssl.keyStorePassword=pw -Dfoo=bar") == (
        "-Xmx1g -Djavax.net.ssl.keyStorePassword=<redacted> -Dfoo=bar"
    )
    svc = {"spec": {"sessionAffinity": "ClientIP", "clusterIP": "None"}}
    assert redact_object(copy.deepcopy(svc)) == svc
    assert is_secret_name("trustStorePassword") and not is_secret_name("serviceAccountName")


@settings(max_examples=60, deadline=None)
@given(
    secret=st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="\"',;<>"),
        min_size=6,
        max_size=40,
    ),
    name=st.sampled_from(["DB_PASSWORD", "X_TOKEN", "MY_SECRET", "SIGNING_KEY", "adminPassword"]),
)
def test_secret_values_never_survive_redaction(secret: str, name: str) -> None:
    obj = {
        "spec": {
            "containers": [
                {
                    "env": [{"name": name, "value": secret}],
                    "args": [f"--{name.lower().replace('_', '-')}={secret}"],
                }
            ]
        },
        "metadata": {
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"env": [{"name": name, "value": secret}]}
                )
            }
        },
    }
    assert secret not in json.dumps(redact_object(obj))
