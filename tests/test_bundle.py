"""Bundles: collect bundles, ``oc adm inspect`` / must-gather folders, the YAML they hold, safe names."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    from k8s_stub import make_pod, make_service, seed_split_scenario
except ImportError:  # tests/ used as a package
    from tests.k8s_stub import make_pod, make_service, seed_split_scenario  # type: ignore[no-redef]

from jgview import bundle
from jgview.bundle import (
    BundleLog,
    YamlError,
    bundle_inputs,
    inside,
    is_bundle,
    load_objects,
    load_yaml,
    log_relpath,
    safe_component,
)
from jgview.objects import check_objects


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def collect_bundle(root: Path, *, logs: list[dict[str, Any]] | None = None) -> Path:
    sc = seed_split_scenario()
    for kind in ("pods", "services", "endpoints", "deployments", "replicasets"):
        write(root / f"objects/{kind}.json", json.dumps({"kind": "List", "items": sc["objects"][kind]}))
    write(root / "objects/can_i.json", "[]")
    entries = (
        logs
        if logs is not None
        else [
            {
                "path": "logs/demo/keycloak-demo-1-n8gpd/keycloak.log",
                "namespace": "demo",
                "pod": "keycloak-demo-1-n8gpd",
                "container": "keycloak",
                "previous": False,
                "ok": True,
            },
            {
                "path": "logs/demo/keycloak-demo-1-j6p5h/keycloak.previous.log",
                "namespace": "demo",
                "pod": "keycloak-demo-1-j6p5h",
                "container": "keycloak",
                "previous": True,
                "ok": True,
            },
            {
                "path": "logs/demo/keycloak-demo-1-j6p5h/keycloak.log",
                "namespace": "demo",
                "pod": "keycloak-demo-1-j6p5h",
                "container": "keycloak",
                "previous": False,
                "ok": True,
            },
        ]
    )
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("path"), str) or "missing" in e["path"]:
            continue
        p = root / e["path"]
        if inside(root, p):
            write(p, "2020-10-20T07:26:27.828000000Z 07:26:27,828 INFO  [x] (y) z\n")
    write(
        root / "manifest.json",
        json.dumps(
            {
                "jgview_bundle": 1,
                "selector": "app=keycloak",
                "namespaces": ["demo"],
                "logs": entries,
                "failures": [],
            }
        ),
    )
    return root


# --------------------------------------------------------------------------------------------
# collect bundles


def test_collect_bundle_is_detected_and_read(tmp_path: Path) -> None:
    root = collect_bundle(tmp_path / "b")
    assert is_bundle(root) and is_bundle(str(root))
    inputs = bundle_inputs(root)
    assert inputs == [
        BundleLog(
            str(root / "logs/demo/keycloak-demo-1-n8gpd/keycloak.log"),
            "keycloak-demo-1-n8gpd",
            "keycloak",
            False,
            "demo",
        ),
        BundleLog(
            str(root / "logs/demo/keycloak-demo-1-j6p5h/keycloak.previous.log"),
            "keycloak-demo-1-j6p5h",
            "keycloak",
            True,
            "demo",
        ),
        BundleLog(
            str(root / "logs/demo/keycloak-demo-1-j6p5h/keycloak.log"),
            "keycloak-demo-1-j6p5h",
            "keycloak",
            False,
            "demo",
        ),
    ]
    objs = load_objects(root)
    assert set(objs) >= {
        "pods",
        "services",
        "endpoints",
        "endpointslices",
        "statefulsets",
        "deployments",
        "networkpolicies",
        "configmaps",
        "events",
        "customresources",
        "can_i",
        "manifest",
    }
    assert [p["metadata"]["name"] for p in objs["pods"]] == ["keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"]
    assert objs["endpointslices"] == [] and objs["manifest"]["selector"] == "app=keycloak"
    assert objs["sources"]["services"] == "objects/services.json"
    assert {f.id for f in check_objects(objs, [])} == {"R1-dns-service-not-headless"}


def test_hostile_manifest_paths_are_ignored(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "not yours")
    root = collect_bundle(
        tmp_path / "b",
        logs=[
            {"path": "../secret.txt", "pod": "a", "container": "c", "previous": False},
            {"path": str(secret), "pod": "b", "container": "c", "previous": False},
            {"path": "logs/demo/missing.log", "pod": "c", "container": "c", "previous": False},
            {"path": 7, "pod": "d"},
            "junk",
            None,
            {"path": "logs/demo/ok/c.log", "pod": "ok", "container": "c", "previous": False},
        ],
    )
    os.symlink(secret, root / "logs" / "demo" / "link.log")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["logs"].append({"path": "logs/demo/link.log", "pod": "e", "container": "c", "previous": False})
    (root / "manifest.json").write_text(json.dumps(manifest))
    assert [b.pod for b in bundle_inputs(root)] == ["ok"]


def test_not_bundles(tmp_path: Path) -> None:
    write(tmp_path / "plain/pod.log", "x\n")
    write(tmp_path / "fake/manifest.json", json.dumps({"name": "some other tool"}))
    write(tmp_path / "broken/manifest.json", "{not json")
    write(tmp_path / "file.log", "x")
    for p in ("plain", "fake", "broken", "file.log", "nowhere"):
        assert not is_bundle(tmp_path / p), p
    assert bundle_inputs(tmp_path / "plain") == []
    assert load_objects(tmp_path / "plain")["pods"] == []


def test_corrupt_object_files_give_empty_lists(tmp_path: Path) -> None:
    root = collect_bundle(tmp_path / "b")
    (root / "objects/services.json").write_text("{truncated")
    (root / "objects/pods.json").write_text(json.dumps({"items": ["x", 3, {"metadata": {"name": "p"}}]}))
    objs = load_objects(root)
    assert objs["services"] == [] and objs["pods"] == [{"metadata": {"name": "p"}}]


# --------------------------------------------------------------------------------------------
# oc adm inspect / must-gather folders (YAML as oc writes it)

PODS_YAML = """\
apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    annotations:
      openshift.io/scc: restricted
    labels:
      app: keycloak
      deploymentconfig: keycloak-demo
    name: keycloak-demo-1-n8gpd
    namespace: demo
    ownerReferences:
    - apiVersion: v1
      controller: true
      kind: ReplicationController
      name: keycloak-demo-1
  spec:
    containers:
    - env:
      - name: JGROUPS_DISCOVERY_PROTOCOL
        value: dns.DNS_PING
      - name: JGROUPS_DISCOVERY_PROPERTIES
        value: dns_query=keycloak-demo.demo.svc.cluster.local
      image: quay.io/keycloak/keycloak:11.0.2
      name: keycloak
    serviceAccountName: default
  status:
    conditions:
    - lastProbeTime: null
      status: "True"
      type: Ready
    containerStatuses:
    - name: keycloak
      ready: true
      restartCount: 0
    podIP: 10.128.2.15
kind: List
metadata:
  resourceVersion: ""
"""

SERVICES_YAML = """\
apiVersion: v1
items:
- apiVersion: v1
  kind: Service
  metadata:
    annotations:
      description: The web server's https port.
    name: keycloak-demo
    namespace: demo
  spec:
    clusterIP: 172.25.250.178
    clusterIPs:
    - 172.25.250.178
    ports:
    - port: 8443
      protocol: TCP
      targetPort: 8443
    selector:
      deploymentConfig: keycloak-demo
    sessionAffinity: None
    type: ClusterIP
kind: List
metadata:
  resourceVersion: ""
"""


def inspect_folder(root: Path) -> Path:
    ns = root / "namespaces" / "demo"
    write(root / "timestamp", "2020-10-20 08:00:00\n")
    write(ns / "demo.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n")
    write(ns / "core/services.yaml", SERVICES_YAML)
    write(ns / "core/events.yaml", "apiVersion: v1\nitems: []\nkind: List\n")
    # the pod as its own document (oc writes pods/<pod>/<pod>.yaml): the list item, dedented
    item = PODS_YAML.split("items:\n- ", 1)[1].split("\nkind: List")[0]
    write(ns / "pods/keycloak-demo-1-n8gpd/keycloak-demo-1-n8gpd.yaml", item.replace("\n  ", "\n") + "\n")
    logs = ns / "pods/keycloak-demo-1-n8gpd/keycloak/keycloak/logs"
    write(logs / "current.log", "2020-10-20T07:26:27.828000000Z 07:26:27,828 INFO  [x] (y) z\n")
    write(logs / "previous.log", "2020-10-20T07:20:00.000000000Z 07:20:00,000 INFO  [x] (y) z\n")
    write(logs / "previous.insecure.log", "")
    write(
        ns / "pods/keycloak-demo-1-j6p5h/keycloak/keycloak/logs/current.log", "2020-10-20T07:30:35.764Z x\n"
    )
    return root


def test_oc_adm_inspect_folder(tmp_path: Path) -> None:
    root = inspect_folder(tmp_path / "inspect.local.123")
    assert is_bundle(root)
    inputs = bundle_inputs(root)
    assert [(b.pod, b.container, b.previous, Path(b.path).name) for b in inputs] == [
        ("keycloak-demo-1-j6p5h", "keycloak", False, "current.log"),
        ("keycloak-demo-1-n8gpd", "keycloak", False, "current.log"),
        ("keycloak-demo-1-n8gpd", "keycloak", True, "previous.log"),
    ]
    objs = load_objects(root)
    pod = objs["pods"][0]
    assert pod["metadata"]["name"] == "keycloak-demo-1-n8gpd"
    assert pod["spec"]["containers"][0]["env"][1]["value"] == "dns_query=keycloak-demo.demo.svc.cluster.local"
    assert pod["status"]["conditions"][0] == {"lastProbeTime": None, "status": "True", "type": "Ready"}
    assert objs["services"][0]["spec"]["clusterIP"] == "172.25.250.178"
    assert objs["sources"]["services"] == "namespaces/demo/core/services.yaml"
    r1 = [f for f in check_objects(objs, ["keycloak-demo-1-n8gpd"]) if f.id == "R1-dns-service-not-headless"]
    assert len(r1) == 1 and r1[0].evidence[0].source == "namespaces/demo/core/services.yaml"


def test_must_gather_nests_the_inspect_tree(tmp_path: Path) -> None:
    mg = tmp_path / "must-gather.local.42"
    inspect_folder(mg / "quay-io-openshift-must-gather-sha256-abc")
    write(mg / "event-filter.html", "<html/>")
    assert is_bundle(mg)
    assert {b.pod for b in bundle_inputs(mg)} == {"keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"}
    assert [s["metadata"]["name"] for s in load_objects(mg)["services"]] == ["keycloak-demo"]


# --------------------------------------------------------------------------------------------
# the YAML reader


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a: 1\nb: x\n", {"a": 1, "b": "x"}),
        ('a:\n- 1\n- two\n- \'three\'\n- "fo\\"ur"\n', {"a": [1, "two", "three", 'fo"ur']}),
        ("a:\n  - x: 1\n    y: [1, 2]\n  - {}\n", {"a": [{"x": 1, "y": [1, 2]}, {}]}),
        ("s: |\n  line 1\n  line 2\nt: after\n", {"s": "line 1\nline 2\n", "t": "after"}),
        ('s: |-\n  {\n    "k": 1\n  }\n', {"s": '{\n  "k": 1\n}'}),
        ("s: >-\n  folded\n  text\n", {"s": "folded text"}),
        (
            "msg: 'Back-off restarting failed container keycloak in pod kc-0_demo(abc)\n  it''s long'\nn: 1\n",
            {"msg": "Back-off restarting failed container keycloak in pod kc-0_demo(abc) it's long", "n": 1},
        ),
        ("v: plain value that\n  wraps here\nw: 2\n", {"v": "plain value that wraps here", "w": 2}),
        (
            "e: ''\nn: null\nt: true\nf: 1.5\nip: 10.0.0.1\nnone: None\nz: ~\n",
            {"e": "", "n": None, "t": True, "f": 1.5, "ip": "10.0.0.1", "none": "None", "z": None},
        ),
        (
            '"app.kubernetes.io/name": kc\n# comment\nx: y # a comment\n',
            {"app.kubernetes.io/name": "kc", "x": "y"},
        ),
        (
            "- -b\n- 0.0.0.0\n- --cache-stack=kubernetes\n- http://a:8080/x\n",
            ["-b", "0.0.0.0", "--cache-stack=kubernetes", "http://a:8080/x"],
        ),
        ("---\na: 1\n", {"a": 1}),
        ("", None),
    ],
)
def test_load_yaml(text: str, expected: Any) -> None:
    assert load_yaml(text) == expected


def test_load_yaml_refuses_what_it_does_not_support() -> None:
    with pytest.raises(YamlError):
        load_yaml("a: &anchor 1\nb: *anchor\n")
    with pytest.raises(YamlError):
        load_yaml("a: {b: 1}\n")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-'\"|>#{}[] \n\t.0")), max_size=120))
def test_load_yaml_never_crashes(text: str) -> None:
    try:
        load_yaml(text)
    except YamlError:
        pass


# --------------------------------------------------------------------------------------------
# safe names


@pytest.mark.parametrize(
    "name", ["..", ".", "", "../../x", "a/b", "..\\..\\x", "x\x00y", ".hidden", "ok-name.1"]
)
def test_safe_component_stays_in_its_directory(name: str, tmp_path: Path) -> None:
    comp = safe_component(name)
    assert (
        comp and "/" not in comp and "\\" not in comp and comp not in (".", "..") and not comp.startswith(".")
    )
    assert inside(tmp_path, tmp_path / comp)


@settings(max_examples=80, deadline=None)
@given(
    ns=st.text(max_size=40), pod=st.text(max_size=80), container=st.text(max_size=40), previous=st.booleans()
)
def test_log_paths_never_escape(ns: str, pod: str, container: str, previous: bool) -> None:
    rel = log_relpath(ns, pod, container, previous)
    root = Path("/bundle")
    assert os.path.normpath(root / rel).startswith("/bundle/logs/")
    assert rel.endswith(".previous.log" if previous else ".log")


def test_log_relpath_keeps_ordinary_names() -> None:
    assert log_relpath("demo", "keycloak-0", "keycloak", False) == "logs/demo/keycloak-0/keycloak.log"
    assert log_relpath("demo", "keycloak-0", "keycloak", True) == "logs/demo/keycloak-0/keycloak.previous.log"
    assert bundle.objects_relpath("services") == "objects/services.json"


def test_make_service_helper_is_a_valid_service() -> None:
    # the stub's builders are shared with other tests: keep them honest
    svc = make_service("kc", cluster_ip="None")
    assert svc["spec"]["clusterIP"] == "None" and svc["metadata"]["namespace"] == "demo"
    pod = make_pod("kc-0", env=[{"name": "A", "value": "1"}])
    assert pod["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
