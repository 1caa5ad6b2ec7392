"""Checks of cluster objects (jgview.objects): findings logs alone cannot give."""

from __future__ import annotations

import copy
from typing import Any

import pytest

try:
    from k8s_stub import (
        kube_ping_forbidden_scenario,
        make_endpoints,
        make_pod,
        make_service,
        restarted_pod_scenario,
        seed_fix_scenario,
        seed_split_scenario,
    )
except ImportError:  # tests/ used as a package
    from tests.k8s_stub import (  # type: ignore[no-redef]
        kube_ping_forbidden_scenario,
        make_endpoints,
        make_pod,
        make_service,
        restarted_pod_scenario,
        seed_fix_scenario,
        seed_split_scenario,
    )

from jgview.bundle import load_yaml
from jgview.models import Evidence, Finding, Severity
from jgview.objects import check_objects, dns_query_of, expected_replicas, kube_ping_of, service_of_query


def objects_of(scenario: dict[str, Any], **extra: Any) -> dict[str, Any]:
    objs: dict[str, Any] = copy.deepcopy(scenario["objects"])
    objs.setdefault("manifest", {"selector": "app=keycloak", "namespaces": ["demo"]})
    objs.update(extra)
    return objs


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        assert f.id not in out, f"duplicate finding {f.id}"
        out[f.id] = f
    return out


def env_pod(
    name: str = "kc-0", *, env: list[dict[str, Any]] | None = None, args: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    return make_pod(name, env=env, args=args, **kw)


# --------------------------------------------------------------------------------------------
# dns_query_of / service_of_query


@pytest.mark.parametrize(
    "env,args,expected",
    [
        (
            [{"name": "JGROUPS_DISCOVERY_PROPERTIES", "value": "dns_query=kc.demo.svc.cluster.local"}],
            None,
            "kc.demo.svc.cluster.local",
        ),
        (
            [
                {
                    "name": "JGROUPS_DISCOVERY_PROPERTIES",
                    "value": "dns_record_type=A,dns_query=kc-ping.auth.svc",
                }
            ],
            None,
            "kc-ping.auth.svc",
        ),
        (
            [
                {
                    "name": "JAVA_OPTS",
                    "value": "-Xms64m -Djgroups.dns.query=kc-headless.sso.svc.cluster.local -Dx=y",
                }
            ],
            None,
            "kc-headless.sso.svc.cluster.local",
        ),
        (
            [
                {"name": "KC_CACHE_STACK", "value": "kubernetes"},
                {"name": "JAVA_OPTS_APPEND", "value": "-Djgroups.dns.query=keycloak-discovery.auth"},
            ],
            ["start"],
            "keycloak-discovery.auth",
        ),
        (None, ["start", "--cache-stack=kubernetes", "-Djgroups.dns.query=kc-discovery"], "kc-discovery"),
        (
            [
                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {
                    "name": "JAVA_OPTS_APPEND",
                    "value": "-Djgroups.dns.query=kc-discovery.$(POD_NAMESPACE).svc.cluster.local",
                },
            ],
            None,
            "kc-discovery.demo.svc.cluster.local",
        ),
        ([{"name": "KC_CACHE_STACK", "value": "kubernetes"}], ["start"], None),
        ([{"name": "JGROUPS_DISCOVERY_PROTOCOL", "value": "kubernetes.KUBE_PING"}], None, None),
        (None, None, None),
    ],
)
def test_dns_query_of(env: Any, args: Any, expected: str | None) -> None:
    assert dns_query_of(env_pod(env=env, args=args)) == expected


@pytest.mark.parametrize(
    "query,ns,expected",
    [
        ("keycloak-demo.demo.svc.cluster.local", "x", ("keycloak-demo", "demo")),
        ("keycloak-demo.demo.svc.cluster.local.", "x", ("keycloak-demo", "demo")),
        ("kc-ping.auth.svc", "x", ("kc-ping", "auth")),
        ("kc-ping.auth", "x", ("kc-ping", "auth")),
        ("kc-ping", "demo", ("kc-ping", "demo")),
        ("_ping._tcp.kc-ping.auth.svc.cluster.local", "x", ("kc-ping", "auth")),
        ("keycloak.example.com", "demo", None),
    ],
)
def test_service_of_query(query: str, ns: str, expected: tuple[str, str] | None) -> None:
    assert service_of_query(query, ns) == expected


def test_dns_query_from_configmaps() -> None:
    pod = env_pod(
        env=[
            {
                "name": "JGROUPS_DISCOVERY_PROPERTIES",
                "valueFrom": {"configMapKeyRef": {"name": "kc-env", "key": "props"}},
            }
        ]
    )
    cms = [
        {"metadata": {"name": "kc-env", "namespace": "demo"}, "data": {"props": "dns_query=from-env.demo"}}
    ]
    objs = {
        "pods": [pod],
        "configmaps": cms,
        "services": [],
        "manifest": {"selector": "app=keycloak", "namespaces": ["demo"]},
    }
    found = by_id(check_objects(objs, []))
    assert found["dns-service-missing"].details["dns_query"] == "from-env.demo"
    stack = env_pod("kc-1")
    stack["spec"]["volumes"] = [{"name": "stack", "configMap": {"name": "jgroups"}}]
    cms.append(
        {
            "metadata": {"name": "jgroups", "namespace": "demo"},
            "data": {"stack.xml": '<dns.DNS_PING dns_query="${jgroups.dns.query:xml-default.demo.svc}"/>'},
        }
    )
    objs["pods"] = [stack]
    assert (
        by_id(check_objects(objs, []))["dns-service-missing"].details["dns_query"] == "xml-default.demo.svc"
    )


# --------------------------------------------------------------------------------------------
# the seed: R1 from the cluster itself


def test_seed_split_blames_the_clusterip_service() -> None:
    found = by_id(check_objects(objects_of(seed_split_scenario()), ["keycloak-demo-1-n8gpd"]))
    assert set(found) == {"R1-dns-service-not-headless"}
    r1 = found["R1-dns-service-not-headless"]
    assert r1.severity is Severity.ERROR
    assert "demo/keycloak-demo" in r1.summary and "clusterIP 172.25.250.178" in r1.summary
    assert r1.evidence[0] == Evidence(
        source="objects/services.json",
        line=0,
        text="Service demo/keycloak-demo clusterIP=172.25.250.178 (not headless) type=ClusterIP",
    )
    assert {e.pod for e in r1.evidence[1:]} == {"keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"}
    assert all(
        "JGROUPS_DISCOVERY_PROPERTIES=dns_query=keycloak-demo.demo.svc.cluster.local" in e.text
        for e in r1.evidence[1:]
    )
    # the remediation is applicable YAML: a separate headless discovery Service
    svc = load_yaml(r1.remediation)
    assert svc["kind"] == "Service"
    assert svc["metadata"] == {
        "name": "keycloak-demo-discovery",
        "namespace": "demo",
        "labels": {"app": "keycloak"},
    }
    assert svc["spec"]["clusterIP"] == "None" and svc["spec"]["publishNotReadyAddresses"] is True
    assert svc["spec"]["selector"] == {"app": "keycloak"}
    assert [p["port"] for p in svc["spec"]["ports"]] == [7800]
    assert "dns_query=keycloak-demo-discovery.demo.svc.cluster.local" in r1.remediation
    assert r1.details["cluster_ip"] == "172.25.250.178"


def test_seed_fix_has_no_finding() -> None:
    assert check_objects(objects_of(seed_fix_scenario()), []) == []


def test_existing_headless_service_is_suggested_instead_of_a_new_one() -> None:
    sc = seed_split_scenario()
    sc["objects"]["services"].append(
        make_service("kc-ping", cluster_ip="None", port=7800, publish_not_ready=True)
    )
    r1 = by_id(check_objects(objects_of(sc), []))["R1-dns-service-not-headless"]
    assert r1.details["suggested_dns_query"] == "kc-ping.demo.svc.cluster.local"
    assert "kind: Service" not in r1.remediation and "kc-ping is already headless" in r1.remediation


def test_sysprop_query_remediation_names_the_property() -> None:
    sc = seed_split_scenario()
    for p in sc["objects"]["pods"]:
        p["spec"]["containers"][0]["env"] = [
            {"name": "JAVA_OPTS_APPEND", "value": "-Djgroups.dns.query=keycloak-demo.demo.svc.cluster.local"}
        ]
    r1 = by_id(check_objects(objects_of(sc), []))["R1-dns-service-not-headless"]
    assert "-Djgroups.dns.query=keycloak-demo-discovery.demo.svc.cluster.local" in r1.remediation


def test_missing_dns_service_is_an_error_with_the_service_to_create() -> None:
    sc = seed_split_scenario()
    sc["objects"]["services"] = []
    sc["objects"]["endpoints"] = []
    f = by_id(check_objects(objects_of(sc), []))["dns-service-missing"]
    assert f.severity is Severity.ERROR and "demo/keycloak-demo does not exist" in f.summary
    svc = load_yaml(f.remediation)
    assert svc["metadata"]["name"] == "keycloak-demo" and svc["spec"]["clusterIP"] == "None"


def test_service_in_a_namespace_that_was_not_collected_is_not_called_missing() -> None:
    sc = seed_split_scenario()
    for p in sc["objects"]["pods"]:
        p["spec"]["containers"][0]["env"][-1]["value"] = "dns_query=kc-ping.elsewhere.svc.cluster.local"
    assert check_objects(objects_of(sc), []) == []


def test_headless_without_not_ready_addresses_and_incomplete_endpoints() -> None:
    sc = seed_fix_scenario()
    pods = sc["objects"]["pods"]
    pods[1]["status"]["conditions"][0]["status"] = "False"
    svc = make_service("keycloak-demo-discovery", cluster_ip="None", port=8080, publish_not_ready=False)
    sc["objects"]["services"] = [sc["objects"]["services"][0], svc]
    sc["objects"]["endpoints"] = [make_endpoints("keycloak-demo-discovery", pods, port=8080)]
    found = by_id(check_objects(objects_of(sc), []))
    assert set(found) == {"R2-dns-service-not-ready-addresses", "dns-endpoints-incomplete", "pod-not-ready"}
    assert all(f.severity is Severity.WARNING for f in found.values())
    assert "keycloak-demo-1-vv5jn" in found["dns-endpoints-incomplete"].summary
    assert "keycloak-demo-1-mvrfg" not in found["dns-endpoints-incomplete"].summary
    assert found["pod-not-ready"].details["pods"] == ["keycloak-demo-1-vv5jn"]


def test_endpoint_slices_count_and_selector_mismatch_is_reported() -> None:
    sc = seed_fix_scenario()
    sc["objects"]["endpoints"] = []
    pods = sc["objects"]["pods"]
    sc["objects"]["endpointslices"] = [
        {
            "metadata": {
                "name": "keycloak-demo-discovery-abc",
                "namespace": "demo",
                "labels": {"kubernetes.io/service-name": "keycloak-demo-discovery"},
            },
            "endpoints": [
                {
                    "addresses": [pods[0]["status"]["podIP"]],
                    "conditions": {"ready": True},
                    "targetRef": {"kind": "Pod", "name": pods[0]["metadata"]["name"]},
                }
            ],
        }
    ]
    f = by_id(check_objects(objects_of(sc), []))["dns-endpoints-incomplete"]
    assert f.details["missing"] == ["keycloak-demo-1-vv5jn"]
    # no Endpoints objects at all: the Service's selector is compared with the pods' labels
    sc["objects"]["endpointslices"] = []
    sc["objects"]["services"][1]["spec"]["selector"] = {"app": "keycloak", "tier": "auth"}
    f = by_id(check_objects(objects_of(sc), []))["dns-endpoints-incomplete"]
    assert f.details["missing"] == ["keycloak-demo-1-mvrfg", "keycloak-demo-1-vv5jn"]


# --------------------------------------------------------------------------------------------
# KUBE_PING RBAC


def test_kube_ping_rbac_forbidden() -> None:
    sc = kube_ping_forbidden_scenario()
    pod = sc["objects"]["pods"][0]
    assert kube_ping_of(pod) == {
        "namespace": "demo",
        "service_account": "keycloak",
        "text": "env JGROUPS_DISCOVERY_PROTOCOL: kubernetes.KUBE_PING",
    }
    can_i = [
        {
            "namespace": "demo",
            "serviceaccount": "keycloak",
            "serviceaccount_namespace": "demo",
            "verb": "list",
            "resource": "pods",
            "allowed": False,
            "pods": ["keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h"],
        }
    ]
    found = by_id(check_objects(objects_of(sc, can_i=can_i), []))
    assert set(found) == {"R3-kube-ping-rbac"}
    f = found["R3-kube-ping-rbac"]
    assert f.severity is Severity.ERROR and "ServiceAccount demo/keycloak may not list pods" in f.summary
    role, binding = (load_yaml(doc) for doc in f.remediation.split("---\n"))
    assert role["kind"] == "Role" and role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}
    ]
    assert binding["kind"] == "RoleBinding"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "keycloak", "namespace": "demo"}]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    can_i[0]["allowed"] = True
    assert check_objects(objects_of(sc, can_i=can_i), []) == []
    can_i[0]["allowed"] = None  # could not be checked: no claim either way
    assert check_objects(objects_of(sc, can_i=can_i), []) == []


def test_kube_ping_namespace_from_env() -> None:
    pod = env_pod(
        env=[
            {"name": "JGROUPS_PING_PROTOCOL", "value": "openshift.KUBE_PING"},
            {"name": "OPENSHIFT_KUBE_PING_NAMESPACE", "value": "sso"},
        ],
        service_account="sso-sa",
    )
    assert kube_ping_of(pod) == {
        "namespace": "sso",
        "service_account": "sso-sa",
        "text": "env JGROUPS_PING_PROTOCOL: openshift.KUBE_PING",
    }
    assert kube_ping_of(env_pod(env=SEED_DNS)) is None


SEED_DNS = [{"name": "JGROUPS_DISCOVERY_PROTOCOL", "value": "dns.DNS_PING"}]


# --------------------------------------------------------------------------------------------
# NetworkPolicies


def policy(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": "demo"},
        "spec": spec,
    }


ALLOW_HTTP = policy(
    "allow-http",
    {
        "podSelector": {"matchLabels": {"app": "keycloak"}},
        "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}],
    },
)
DENY_ALL = policy("deny-all", {"podSelector": {}, "policyTypes": ["Ingress"]})
ALLOW_JGROUPS = policy(
    "allow-jgroups",
    {
        "podSelector": {"matchLabels": {"app": "keycloak"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": {"app": "keycloak"}}}],
                "ports": [{"port": 7800}, {"port": 57800}],
            }
        ],
    },
)


@pytest.mark.parametrize(
    "policies,expected",
    [
        ([], None),
        ([DENY_ALL], Severity.ERROR),
        ([ALLOW_HTTP], Severity.ERROR),
        ([DENY_ALL, ALLOW_JGROUPS], None),
        ([ALLOW_HTTP, ALLOW_JGROUPS], None),
        (
            [policy("only-7800", {"podSelector": {}, "ingress": [{"ports": [{"port": 7800}]}]})],
            Severity.WARNING,
        ),
        (
            [
                policy(
                    "named-port",
                    {"podSelector": {}, "ingress": [{"ports": [{"port": "jgroups"}, {"port": 57800}]}]},
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "range", {"podSelector": {}, "ingress": [{"ports": [{"port": 7000, "endPort": 60000}]}]}
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "udp-only",
                    {"podSelector": {}, "ingress": [{"ports": [{"port": 7800, "protocol": "UDP"}]}]},
                )
            ],
            Severity.ERROR,
        ),
        (
            [
                policy(
                    "other-app",
                    {"podSelector": {"matchLabels": {"app": "other"}}, "policyTypes": ["Ingress"]},
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "from-other-pods",
                    {
                        "podSelector": {},
                        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}],
                    },
                )
            ],
            Severity.ERROR,
        ),
        (
            [
                policy(
                    "ns-by-name",
                    {
                        "podSelector": {},
                        "ingress": [
                            {
                                "from": [
                                    {
                                        "namespaceSelector": {
                                            "matchLabels": {"kubernetes.io/metadata.name": "demo"}
                                        }
                                    }
                                ]
                            }
                        ],
                    },
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "ns-by-other-name",
                    {
                        "podSelector": {},
                        "ingress": [
                            {
                                "from": [
                                    {
                                        "namespaceSelector": {
                                            "matchLabels": {"kubernetes.io/metadata.name": "ingress"}
                                        }
                                    }
                                ]
                            }
                        ],
                    },
                )
            ],
            Severity.ERROR,
        ),
        # namespace labels are not collected: a namespaceSelector on other labels cannot be judged
        (
            [
                policy(
                    "ns-by-team",
                    {
                        "podSelector": {},
                        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "auth"}}}]}],
                    },
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "pod-cidr",
                    {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.128.0.0/14"}}]}]},
                )
            ],
            None,
        ),
        (
            [
                policy(
                    "other-cidr",
                    {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]}]},
                )
            ],
            Severity.ERROR,
        ),
        ([policy("egress-deny", {"podSelector": {}, "policyTypes": ["Egress"]})], Severity.ERROR),
        (
            [
                policy(
                    "egress-dns-only",
                    {
                        "podSelector": {},
                        "policyTypes": ["Egress"],
                        "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
                    },
                )
            ],
            Severity.ERROR,
        ),
    ],
)
def test_network_policies(policies: list[dict[str, Any]], expected: Severity | None) -> None:
    objs = objects_of(seed_fix_scenario(), networkpolicies=policies)
    found = by_id(check_objects(objs, []))
    f = found.get("R7-networkpolicy-blocks-jgroups")
    assert (f.severity if f else None) is expected
    if f:
        allow = load_yaml(f.remediation)
        assert allow["kind"] == "NetworkPolicy" and allow["metadata"]["namespace"] == "demo"
        rules = allow["spec"].get("ingress", []) + allow["spec"].get("egress", [])
        assert rules and all({p["port"] for p in r["ports"]} == {7800, 57800} for r in rules)
        assert allow["spec"]["podSelector"] == {"matchLabels": {"app": "keycloak"}}
        assert f.evidence and f.evidence[0].source == "objects/networkpolicies.json"


# --------------------------------------------------------------------------------------------
# images, restarts, readiness, owners


def test_mixed_images_within_one_workload() -> None:
    sc = seed_fix_scenario()
    sc["objects"]["pods"][1]["spec"]["containers"][0]["image"] = "quay.io/keycloak/keycloak:12.0.4"
    f = by_id(check_objects(objects_of(sc), []))["R6-mixed-images"]
    assert f.severity is Severity.WARNING
    assert "keycloak:11.0.2" in f.summary and "keycloak:12.0.4" in f.summary
    # two different workloads with different images are not a mixed cluster
    sc["objects"]["pods"][1]["metadata"]["ownerReferences"][0]["name"] = "other-rs"
    assert "R6-mixed-images" not in by_id(check_objects(objects_of(sc), []))


def test_restarts_and_oomkilled() -> None:
    found = by_id(check_objects(objects_of(restarted_pod_scenario()), []))
    f = found["R14-restarts-oomkilled"]
    assert f.severity is Severity.WARNING
    assert "keycloak-demo-1-j6p5h/keycloak restarted 1x, last terminated OOMKilled (exit 137)" in f.summary
    assert [e.source for e in f.evidence] == ["objects/pods.json", "objects/events.json"]


def test_expected_replicas_follows_owners() -> None:
    assert expected_replicas(objects_of(seed_split_scenario())) == 2
    sts = {"metadata": {"name": "kc", "namespace": "demo"}, "spec": {"replicas": 3}}
    pods = [make_pod(f"kc-{i}", owner=("StatefulSet", "kc")) for i in range(2)]
    assert expected_replicas({"pods": pods, "statefulsets": [sts]}) == 3
    # owner unknown to the bundle, or several owners: no claim
    assert expected_replicas({"pods": pods, "statefulsets": []}) is None
    other = make_pod("x-0", owner=("StatefulSet", "x"))
    assert expected_replicas({"pods": pods + [other], "statefulsets": [sts]}) is None
    dc = {"metadata": {"name": "keycloak-demo", "namespace": "demo"}, "spec": {"replicas": 2}}
    rc = {
        "metadata": {
            "name": "keycloak-demo-1",
            "namespace": "demo",
            "ownerReferences": [{"kind": "DeploymentConfig", "name": "keycloak-demo", "controller": True}],
        },
        "spec": {"replicas": 2},
    }
    dcpods = [
        make_pod(f"keycloak-demo-1-{s}", owner=("ReplicationController", "keycloak-demo-1")) for s in "ab"
    ]
    assert expected_replicas({"pods": dcpods, "replicationcontrollers": [rc], "deploymentconfigs": [dc]}) == 2


def test_inspect_folder_pods_are_narrowed_to_the_jgroups_workload() -> None:
    sc = seed_split_scenario()
    unrelated = make_pod(
        "postgres-0",
        owner=("StatefulSet", "postgres"),
        image="postgres:15",
        ready=False,
        labels={"app": "postgres"},
    )
    objs = objects_of(sc)
    objs["manifest"] = {}
    objs["pods"].append(unrelated)
    found = by_id(check_objects(objs, ["keycloak-demo-1-n8gpd", "keycloak-demo-1-j6p5h", "postgres-0"]))
    assert set(found) == {"R1-dns-service-not-headless"}


def test_odd_objects_do_not_crash() -> None:
    odd: dict[str, Any] = {
        "pods": [
            {},
            {"metadata": None},
            {"metadata": {"name": "p"}, "spec": {"containers": "x"}},
            {
                "metadata": {"name": "q"},
                "spec": {"containers": [{"env": [None, {"name": 1}]}]},
                "status": {"containerStatuses": [{"restartCount": "many"}]},
            },
        ],
        "services": [None, {"spec": None}],
        "networkpolicies": [{"spec": {"podSelector": "?"}}],
        "can_i": [{"allowed": False}],
        "manifest": {"selector": "x"},
    }
    findings = check_objects(odd, ["p"])
    assert all(isinstance(f, Finding) for f in findings)
    assert check_objects({}, []) == [] and expected_replicas({}) is None


def test_collection_failures_are_reported() -> None:
    objs = objects_of(seed_fix_scenario())
    objs["manifest"]["failures"] = [
        {
            "kind": "logs",
            "what": "log demo/keycloak-demo-1-vv5jn/keycloak",
            "pod": "keycloak-demo-1-vv5jn",
            "reason": "container runtime is gone",
        },
        {
            "kind": "networkpolicies",
            "what": "networkpolicies.networking.k8s.io in namespace demo",
            "reason": 'forbidden: user "dev" may not list networkpolicies.networking.k8s.io in namespace "demo"',
        },
    ]
    f = by_id(check_objects(objs, []))["collect-incomplete"]
    assert f.severity is Severity.WARNING
    assert "2 items could not be collected (1 log)" in f.summary and "container runtime is gone" in f.summary
    assert [e.pod for e in f.evidence] == ["keycloak-demo-1-vv5jn", None]
    objs["manifest"]["failures"] = objs["manifest"]["failures"][1:]
    assert by_id(check_objects(objs, []))["collect-incomplete"].severity is Severity.INFO
