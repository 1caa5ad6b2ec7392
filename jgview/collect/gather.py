"""Fetch a cluster's evidence through kubectl and write it as a bundle.

One ``kubectl get pods -l SELECTOR`` decides which pods matter; then, with bounded concurrency
(``max_log_requests`` subprocesses at a time, like kubectl's ``--max-log-requests``), every
container's whole log (``--timestamps --tail=-1``), the previous log of restarted containers,
the objects that explain them (Services, Endpoints/EndpointSlices, workloads, NetworkPolicies,
JGroups ConfigMaps, Events, Keycloak/Infinispan CRs) and ``auth can-i list pods`` for KUBE_PING
service accounts. One failure is recorded in the manifest and does not stop the others.
Objects are redacted (:mod:`jgview.collect.redact`) before they are written.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from jgview import __version__, bundle
from jgview.collect.kube import Kubectl, KubectlError
from jgview.collect.redact import redact_object, redact_text
from jgview.objects import expected_replicas, kube_ping_of

OBJECT_RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("services", "services", "Service"),
    ("endpoints", "endpoints", "Endpoints"),
    ("endpointslices", "endpointslices.discovery.k8s.io", "EndpointSlice"),
    ("statefulsets", "statefulsets.apps", "StatefulSet"),
    ("deployments", "deployments.apps", "Deployment"),
    ("replicasets", "replicasets.apps", "ReplicaSet"),
    ("replicationcontrollers", "replicationcontrollers", "ReplicationController"),
    ("deploymentconfigs", "deploymentconfigs.apps.openshift.io", "DeploymentConfig"),
    ("networkpolicies", "networkpolicies.networking.k8s.io", "NetworkPolicy"),
    ("configmaps", "configmaps", "ConfigMap"),
    ("events", "events", "Event"),
    ("customresources", "keycloaks.k8s.keycloak.org", "Keycloak"),
    ("customresources", "keycloaks.keycloak.org", "Keycloak"),
    ("customresources", "infinispans.infinispan.org", "Infinispan"),
)
"""(bundle kind, kubectl resource, object kind) fetched per namespace of the matching pods."""

MAX_EVENTS = 5000
_JGROUPS_CONFIG = re.compile(
    r"jgroups|dns_query|DNS_PING|KUBE_PING|infinispan|cache-stack|cache_stack", re.IGNORECASE
)
_GO_DURATION = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$")


class CollectError(Exception):
    """Collection cannot go on; ``exit_code`` is what the CLI exits with."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class NoPodsError(CollectError):
    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=3)


@dataclass
class CollectOptions:
    selector: str
    namespace: str | None = None
    all_namespaces: bool = False
    since: str | None = None
    """A Go duration for ``kubectl logs --since`` (``1h``, ``30m``)."""
    since_time: str | None = None
    """An RFC3339 time for ``kubectl logs --since-time``."""
    max_log_requests: int = 5
    previous: bool = True
    """Also fetch ``--previous`` logs of containers that restarted."""


@dataclass
class CollectResult:
    bundle_dir: Path
    manifest: dict[str, Any]
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def check_output_dir(out: Path) -> None:
    """Refuse a path that is a file, or a non-empty directory that is not a jgview bundle."""
    if out.exists() and not out.is_dir():
        raise CollectError(f"{out} exists and is not a directory; choose another -o/--output")
    if out.is_dir():
        try:
            empty = not any(out.iterdir())
        except OSError as exc:
            raise CollectError(f"cannot read {out}: {exc.strerror}") from exc
        if not empty and bundle.read_manifest(out) is None:
            raise CollectError(f"{out} is not empty and is not a jgview bundle; choose another -o/--output")


def validate_since(since: str | None, since_time: str | None) -> None:
    """Raise :class:`CollectError` for a malformed ``--since`` / ``--since-time``."""
    if since and since_time:
        raise CollectError("--since and --since-time cannot be used together")
    if since and not _GO_DURATION.match(since):
        raise CollectError(f"--since {since!r} is not a duration like 30m, 2h or 1h30m")
    if since_time:
        try:
            datetime.fromisoformat(since_time.replace("Z", "+00:00"))
        except ValueError as exc:
            raise CollectError(
                f"--since-time {since_time!r} is not an RFC3339 time like 2024-05-01T10:00:00Z"
            ) from exc


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    m = obj.get("metadata")
    return m if isinstance(m, dict) else {}


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    return str(_meta(obj).get("namespace", "")), str(_meta(obj).get("name", ""))


def _restarted(pod: dict[str, Any], container: str) -> bool:
    for st in (pod.get("status") or {}).get("containerStatuses") or []:
        if isinstance(st, dict) and st.get("name") == container:
            return bool(st.get("restartCount")) or bool((st.get("lastState") or {}).get("terminated"))
    return False


# --------------------------------------------------------------------------------------------
# progress on stderr


class _NoProgress:
    def advance(self, description: str) -> None:
        return


class _RichProgress:
    def __init__(self, progress: Progress, task: Any) -> None:
        self.progress = progress
        self.task = task
        self.lock = threading.Lock()

    def advance(self, description: str) -> None:
        with self.lock:
            self.progress.update(self.task, advance=1, description=description)


@contextmanager
def progress_bar(total: int, console: Console | None, enabled: bool) -> Iterator[_NoProgress | _RichProgress]:
    """A rich progress bar on stderr (only on a terminal), or a no-op."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal or total <= 0:
        yield _NoProgress()
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("collecting", total=total)
        yield _RichProgress(progress, task)


# --------------------------------------------------------------------------------------------
# the collection


class _Collector:
    def __init__(self, kube: Kubectl, out: Path, opts: CollectOptions) -> None:
        self.kube = kube
        self.out = out
        self.opts = opts
        self.lock = threading.Lock()
        self.objects: dict[str, list[dict[str, Any]]] = {k: [] for k in bundle.OBJECT_KINDS}
        self.logs: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.absent: list[str] = []
        self.can_i: list[dict[str, Any]] = []
        self.version: dict[str, Any] = {}
        self.used_paths: set[str] = set()

    def fail(self, kind: str, what: str, reason: str, **extra: Any) -> None:
        with self.lock:
            self.failures.append({"kind": kind, "what": what, "reason": reason, **extra})

    # tasks ----------------------------------------------------------------------------------

    def fetch_namespace_objects(self, namespace: str, resources: list[tuple[str, str, str]]) -> None:
        """All the namespace's object kinds in one kubectl call; a kind kubectl could not list
        (forbidden …) is recorded and the others kept. Kind by kind when the failure is unclear."""
        try:
            items, errors = self.kube.get_many([r for _, r, _ in resources], namespace=namespace)
        except KubectlError:
            for kind, resource, _ in resources:
                self.fetch_objects(kind, resource, namespace)
            return
        for kind, resource, _ in resources:
            if resource in errors:
                self.fail(
                    kind,
                    f"{resource} in namespace {namespace}",
                    errors[resource].message,
                    namespace=namespace,
                    resource=resource,
                )
        by_kind = {obj_kind: kind for kind, _, obj_kind in resources}
        with self.lock:
            for item in items:
                target = by_kind.get(str(item.get("kind")))
                if target is not None:
                    self.objects[target].append(item)

    def fetch_objects(self, kind: str, resource: str, namespace: str) -> None:
        try:
            items = self.kube.get_items(resource, namespace=namespace)
        except KubectlError as exc:
            if exc.kind == "no-resource-type":
                with self.lock:
                    self.absent.append(f"{resource} ({namespace})")
                return
            self.fail(
                kind,
                f"{resource} in namespace {namespace}",
                exc.message,
                namespace=namespace,
                resource=resource,
            )
            return
        with self.lock:
            self.objects[kind].extend(items)

    def log_path(self, namespace: str, pod: str, container: str, previous: bool) -> Path:
        rel = bundle.log_relpath(namespace, pod, container, previous)
        with self.lock:
            base, n = rel, 2
            while rel in self.used_paths:
                rel = (
                    base.replace(".log", f"-{n}.log")
                    if not previous
                    else base.replace(".previous.log", f"-{n}.previous.log")
                )
                n += 1
            self.used_paths.add(rel)
        path = self.out / rel
        if not bundle.inside(self.out, path):  # defence in depth: safe_component already ensures it
            raise CollectError(f"refusing to write outside {self.out}: {rel}")
        return path

    def fetch_log(self, namespace: str, pod: str, container: str, previous: bool) -> None:
        path = self.log_path(namespace, pod, container, previous)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry: dict[str, Any] = {
            "path": path.relative_to(self.out).as_posix(),
            "namespace": namespace,
            "pod": pod,
            "container": container,
            "previous": previous,
        }
        what = f"log {namespace}/{pod}/{container}" + (" (previous)" if previous else "")
        try:
            size = self.kube.logs_to_file(
                pod,
                namespace=namespace,
                container=container,
                dest=path,
                previous=previous,
                since=self.opts.since,
                since_time=self.opts.since_time,
            )
            entry.update(bytes=size, ok=True)
        except KubectlError as exc:
            size = path.stat().st_size if path.exists() else 0
            entry.update(bytes=size, ok=False, error=exc.message)
            self.fail(
                "logs",
                what,
                exc.message,
                namespace=namespace,
                pod=pod,
                container=container,
                previous=previous,
                partial=size > 0,
            )
        except OSError as exc:
            entry.update(bytes=0, ok=False, error=str(exc))
            self.fail(
                "logs",
                what,
                f"cannot write {entry['path']}: {exc.strerror}",
                namespace=namespace,
                pod=pod,
                container=container,
                previous=previous,
            )
        if entry.get("ok") or entry.get("bytes"):
            with self.lock:
                self.logs.append(entry)

    def check_can_i(self, namespace: str, sa_namespace: str, sa: str, pods: list[str]) -> None:
        user = f"system:serviceaccount:{sa_namespace}:{sa}"
        entry: dict[str, Any] = {
            "namespace": namespace,
            "serviceaccount": sa,
            "serviceaccount_namespace": sa_namespace,
            "user": user,
            "verb": "list",
            "resource": "pods",
            "pods": sorted(pods),
        }
        try:
            entry["allowed"] = self.kube.can_i("list", "pods", namespace=namespace, as_user=user)
        except KubectlError as exc:
            entry.update(allowed=None, error=exc.message)
            self.fail(
                "can_i", f"auth can-i list pods --as={user} -n {namespace}", exc.message, namespace=namespace
            )
        with self.lock:
            self.can_i.append(entry)

    def fetch_version(self) -> None:
        self.version = self.kube.version()


def _filter_related(objs: dict[str, list[dict[str, Any]]], pods: list[dict[str, Any]]) -> None:
    """Keep the ConfigMaps, ReplicaSets/RCs and Events that concern the pods."""
    pod_keys = {_key(p) for p in pods}
    referenced: set[tuple[str, str]] = set()
    owners: set[tuple[str, str]] = set()
    for p in pods:
        ns = _key(p)[0]
        spec = p.get("spec") or {}
        for ref in _meta(p).get("ownerReferences") or []:
            owners.add((ns, str(ref.get("name"))))
        for v in spec.get("volumes") or []:
            if (v.get("configMap") or {}).get("name"):
                referenced.add((ns, v["configMap"]["name"]))
            for s in (v.get("projected") or {}).get("sources") or []:
                if (s.get("configMap") or {}).get("name"):
                    referenced.add((ns, s["configMap"]["name"]))
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            for ef in c.get("envFrom") or []:
                if (ef.get("configMapRef") or {}).get("name"):
                    referenced.add((ns, ef["configMapRef"]["name"]))
            for e in c.get("env") or []:
                ref = ((e.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name")
                if ref:
                    referenced.add((ns, ref))
    objs["configmaps"] = [
        cm
        for cm in objs["configmaps"]
        if _key(cm) in referenced
        or any(
            isinstance(v, str) and _JGROUPS_CONFIG.search(v[:200_000])
            for v in (cm.get("data") or {}).values()
        )
    ]
    for kind in ("replicasets", "replicationcontrollers"):
        objs[kind] = [o for o in objs[kind] if _key(o) in owners]
    related_names = {n for _, n in pod_keys} | {n for _, n in owners}
    for kind in (
        "services",
        "endpoints",
        "statefulsets",
        "deployments",
        "deploymentconfigs",
        "customresources",
    ):
        related_names |= {_key(o)[1] for o in objs[kind]}
    events = []
    for e in objs["events"]:
        inv = e.get("involvedObject") or e.get("regarding") or {}
        ns = str(inv.get("namespace") or _key(e)[0])
        name = str(inv.get("name", ""))
        if (inv.get("kind") == "Pod" and (ns, name) in pod_keys) or (
            inv.get("kind") != "Pod" and name in related_names
        ):
            events.append(e)
    objs["events"] = events[-MAX_EVENTS:]


def _kube_ping_targets(
    pods: list[dict[str, Any]], objects: dict[str, Any] | None
) -> dict[tuple[str, str, str], list[str]]:
    """(namespace KUBE_PING lists pods in, ServiceAccount namespace, ServiceAccount) -> pods."""
    out: dict[tuple[str, str, str], list[str]] = {}
    for p in pods:
        kp = kube_ping_of(p, objects)
        if kp:
            out.setdefault((kp["namespace"], _key(p)[0], kp["service_account"]), []).append(_key(p)[1])
    return out


def collect(
    kube: Kubectl,
    out: Path,
    opts: CollectOptions,
    *,
    console: Console | None = None,
    progress: bool = True,
) -> CollectResult:
    """Collect into ``out`` (created if needed) and return the manifest and the redacted objects.

    Raises :class:`CollectError` (exit 2) when the pods cannot be listed (kubectl missing, not
    logged in, forbidden, unreachable, missing namespace) and :class:`NoPodsError` (exit 3)
    when no pod matches."""
    validate_since(opts.since, opts.since_time)
    ctx = kube.current_context()
    default_ns = opts.namespace or ctx.get("namespace") or "default"
    try:
        pods = kube.get_items(
            "pods", namespace=opts.namespace, all_namespaces=opts.all_namespaces, selector=opts.selector
        )
    except KubectlError as exc:
        if exc.kind == "not-found" and (exc.resource or "").startswith("namespace"):
            raise CollectError(f'namespace "{default_ns}" does not exist ({exc.message})') from exc
        raise CollectError(exc.message) from exc
    where = "in all namespaces" if opts.all_namespaces else f'in namespace "{default_ns}"'
    if not pods:
        if not opts.all_namespaces:
            try:
                kube.get("namespaces", name=default_ns)
            except KubectlError as exc:
                if exc.kind == "not-found":
                    raise CollectError(
                        f'namespace "{default_ns}" does not exist; check -n/--namespace '
                        "or the context's namespace"
                    ) from exc
        raise NoPodsError(
            f'no pod matches the selector "{opts.selector}" {where}; check -l/--selector '
            "(kubectl get pods --show-labels lists the pods' labels)"
        )

    out.mkdir(parents=True, exist_ok=True)
    col = _Collector(kube, out, opts)
    namespaces = sorted({_key(p)[0] for p in pods})
    try:
        served = kube.api_resources()
    except KubectlError as exc:
        col.fail("kubectl", "api-resources", exc.message)
        served = None
    tasks: list[tuple[str, Callable[[], None]]] = [("kubectl version", col.fetch_version)]
    wanted = [r for r in OBJECT_RESOURCES if served is None or r[1] in served]
    col.absent.extend(r[1] for r in OBJECT_RESOURCES if r not in wanted)
    for ns in namespaces:
        if served is None:  # unknown which kinds exist: one call per kind
            tasks += [(f"{r} ({ns})", partial(col.fetch_objects, k, r, ns)) for k, r, _ in wanted]
        else:
            tasks.append((f"objects ({ns})", partial(col.fetch_namespace_objects, ns, wanted)))
    kube_ping = _kube_ping_targets(pods, None)
    for (ns, sa_ns, sa), names in sorted(kube_ping.items()):
        tasks.append((f"can-i list pods as {sa}", partial(col.check_can_i, ns, sa_ns, sa, names)))
    for p in pods:
        ns, name = _key(p)
        for c in (p.get("spec") or {}).get("containers") or []:
            cname = str(c.get("name", ""))
            tasks.append((f"logs {name}/{cname}", partial(col.fetch_log, ns, name, cname, False)))
            if opts.previous and _restarted(p, cname):
                tasks.append((f"previous logs {name}/{cname}", partial(col.fetch_log, ns, name, cname, True)))

    with (
        progress_bar(len(tasks), console, progress) as bar,
        ThreadPoolExecutor(max_workers=max(1, opts.max_log_requests)) as pool,
    ):
        futures = {pool.submit(fn): desc for desc, fn in tasks}
        for fut in as_completed(futures):
            try:
                fut.result()
            except KubectlError as exc:  # version() and friends: recorded, never fatal
                col.fail("kubectl", futures[fut], exc.message)
            bar.advance(futures[fut])

    # KUBE_PING configured in a mounted ConfigMap shows only now that the ConfigMaps are here
    for (ns, sa_ns, sa), names in sorted(_kube_ping_targets(pods, col.objects).items()):
        if (ns, sa_ns, sa) not in kube_ping:
            col.check_can_i(ns, sa_ns, sa, names)
    objs = col.objects
    objs["pods"] = pods
    _filter_related(objs, pods)
    redacted = {k: [redact_object(o) for o in v] for k, v in objs.items()}
    written: dict[str, dict[str, Any]] = {}
    for kind in bundle.OBJECT_KINDS:
        rel = bundle.objects_relpath(kind)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(
            json.dumps(
                {"apiVersion": "v1", "kind": "List", "items": redacted[kind]}, indent=1, sort_keys=True
            ),
            encoding="utf-8",
        )
        written[kind] = {"path": rel, "count": len(redacted[kind])}
    (out / "objects" / "can_i.json").write_text(
        json.dumps(col.can_i, indent=1, sort_keys=True), encoding="utf-8"
    )

    manifest: dict[str, Any] = {
        **manifest_header(kube.binary, col.version, ctx, None if opts.all_namespaces else default_ns,
                          opts.all_namespaces, opts.selector),
        "namespaces": namespaces,
        "since": opts.since,
        "since_time": opts.since_time,
        "max_log_requests": opts.max_log_requests,
        "previous": opts.previous,
        "expect": expected_replicas(redacted),
        "pods": [_pod_summary(p) for p in pods],
        "logs": sorted(col.logs, key=lambda e: (e["previous"], e["namespace"], e["pod"], e["container"])),
        "objects": written,
        "can_i": "objects/can_i.json",
        "absent": sorted(col.absent),
        "failures": sorted(col.failures, key=lambda f: (f["kind"], f["what"])),
    }
    (out / bundle.MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return CollectResult(bundle_dir=out, manifest=manifest, objects=redacted)


def manifest_header(binary: str, version: dict[str, Any], context: dict[str, Any], namespace: str | None,
                    all_namespaces: bool, selector: str) -> dict[str, Any]:
    """The first fields of a bundle's manifest.json: when, with which kubectl, where, what."""
    return {
        bundle.BUNDLE_MARKER: bundle.BUNDLE_VERSION,
        "tool": f"jgview {__version__}",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kubectl": {
            "binary": binary,
            "client": (version.get("clientVersion") or {}).get("gitVersion"),
            "server": (version.get("serverVersion") or {}).get("gitVersion"),
            "server_error": version.get("serverError"),
            "openshift": version.get("openshiftVersion"),
        },
        "context": context.get("context"),
        "server": redact_text(str(context.get("server"))) if context.get("server") else None,
        "namespace": namespace,
        "all_namespaces": all_namespaces,
        "selector": selector,
    }


def _pod_summary(pod: dict[str, Any]) -> dict[str, Any]:
    ns, name = _key(pod)
    status = pod.get("status") or {}
    containers = []
    for c in (pod.get("spec") or {}).get("containers") or []:
        st: dict[str, Any] = next(
            (s for s in status.get("containerStatuses") or [] if s.get("name") == c.get("name")), {}
        )
        last = (st.get("lastState") or {}).get("terminated") or {}
        containers.append(
            {
                "name": c.get("name"),
                "image": c.get("image"),
                "ready": st.get("ready"),
                "restartCount": st.get("restartCount", 0),
                "lastTerminated": last.get("reason"),
            }
        )
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    return {
        "namespace": ns,
        "name": name,
        "phase": status.get("phase"),
        "ready": ready,
        "podIP": status.get("podIP"),
        "node": (pod.get("spec") or {}).get("nodeName"),
        "serviceAccountName": (pod.get("spec") or {}).get("serviceAccountName"),
        "containers": containers,
    }
