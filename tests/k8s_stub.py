"""A stand-in Kubernetes API server for tests that drive the real ``kubectl``.

Standard library only: :class:`http.server.ThreadingHTTPServer` on ``127.0.0.1`` (port 0) in a
thread. It serves what ``kubectl get/logs/auth can-i/version`` ask for:

* discovery, both aggregated (``application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList``)
  and legacy (``/api``, ``/apis``, ``/api/v1``, ``/apis/<group>/<version>``);
* list/get of namespaced resources with ``labelSelector`` filtering, namespace scoping and the
  all-namespaces paths (``/api/v1/pods``);
* ``pods/NAME/log`` with ``container``, ``timestamps``, ``previous``, ``sinceSeconds``,
  ``sinceTime``, ``tailLines`` and ``follow``: a followed log is a chunked response that stays
  open and streams the lines a test appends to the scenario's list while the server runs; it
  ends when the container restarts (:meth:`KubeStub.restart_container` replaces the list), when
  :meth:`KubeStub.end_log_stream` says so (a dropped connection), when the pod is deleted, the
  scenario swapped or the server stopped;
* ``selfsubjectaccessreviews`` (``kubectl auth can-i``, honouring ``Impersonate-User``);
* errors as ``Status`` objects (403 Forbidden with the API server's wording, 404 NotFound, 400
  for a missing previous container, 401 for a wrong token).

Use::

    with KubeStub(seed_split_scenario(), tmp_path) as stub:
        subprocess.run(["kubectl", "get", "pods", "-n", "demo"], env=stub.env())

The scenario is a plain dict; tests may swap it with :meth:`KubeStub.set_scenario` to reuse one
server, and change it while the server runs with :meth:`KubeStub.append_log`,
:meth:`KubeStub.add_pod`, :meth:`KubeStub.delete_pod` and :meth:`KubeStub.restart_container`.
Every request is recorded in :attr:`KubeStub.requests`. Keys (all optional):

``objects``             resource key (``pods``, ``services``, ``statefulsets``, ``keycloaks.k8s.keycloak.org``
                        …) -> list of objects (``metadata.namespace`` set)
``logs``/``previous_logs``  ``"ns/pod/container"`` -> list of (RFC3339 timestamp, line)
``log_errors``          ``"ns/pod/container"`` -> (HTTP code, message) served as a Status
``log_delay``           seconds each log request takes (to observe concurrency)
``namespaces``          existing namespaces (``GET /api/v1/namespaces/NAME``)
``forbidden_namespaces`` every request in them is 403 (and cluster-wide lists too)
``forbidden_resources`` resource keys answered 403 everywhere
``broken_resources``    resource keys answered 500 (InternalError) everywhere
``unauthorized``        every request is 401
``user``                the user named in 403 messages (default ``developer``)
``can_i``               user -> {"VERB RESOURCE": bool} for SelfSubjectAccessReviews (default allowed)
``may_impersonate``     False: ``--as`` is refused with 403
``crds``                extra :class:`Resource` (or kwargs) served in discovery, e.g. :data:`KEYCLOAK_CRD`
``now``                 the server's clock for ``sinceSeconds``
"""

from __future__ import annotations

import copy
import json
import os
import select
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

TOKEN = "stub-token-0123456789abcdef-do-not-leak"
AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


# --------------------------------------------------------------------------------------------
# resources the stub knows


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    short: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ("get", "list")
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """Key of the objects in the scenario: ``pods``, ``statefulsets``, ``keycloaks.k8s.keycloak.org``."""
        if self.group in BUILTIN_GROUPS:
            return self.plural
        return f"{self.plural}.{self.group}"


BUILTIN = [
    Resource("", "v1", "pods", "Pod", short=("po",), subresources=("log",)),
    Resource("", "v1", "services", "Service", short=("svc",)),
    Resource("", "v1", "endpoints", "Endpoints", short=("ep",)),
    Resource("", "v1", "configmaps", "ConfigMap", short=("cm",)),
    Resource("", "v1", "events", "Event", short=("ev",)),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", short=("sa",)),
    Resource("", "v1", "namespaces", "Namespace", namespaced=False, short=("ns",)),
    Resource("apps", "v1", "statefulsets", "StatefulSet", short=("sts",)),
    Resource("apps", "v1", "deployments", "Deployment", short=("deploy",)),
    Resource("apps", "v1", "replicasets", "ReplicaSet", short=("rs",)),
    Resource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    Resource(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        namespaced=False,
        verbs=("create",),
    ),
]
BUILTIN_GROUPS = {"", "apps", "networking.k8s.io", "discovery.k8s.io", "authorization.k8s.io"}

KEYCLOAK_CRD = Resource("k8s.keycloak.org", "v2alpha1", "keycloaks", "Keycloak", short=("kc",))
INFINISPAN_CRD = Resource("infinispan.org", "v1", "infinispans", "Infinispan", short=("ispn",))


def _resources(scenario: dict[str, Any]) -> list[Resource]:
    out = list(BUILTIN)
    for crd in scenario.get("crds", []):
        out.append(crd if isinstance(crd, Resource) else Resource(**crd))
    return out


# --------------------------------------------------------------------------------------------
# label selectors (the subset kubectl passes through: equality and set-based)


def _split_selector(sel: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in sel:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def selector_matches(sel: str, labels: dict[str, str]) -> bool:
    for req in _split_selector(sel):
        if " notin " in req or " in " in req:
            neg = " notin " in req
            key, _, rest = req.partition(" notin " if neg else " in ")
            values = {v.strip() for v in rest.strip().strip("()").split(",")}
            present = labels.get(key.strip()) in values
            if present == neg:
                return False
        elif "!=" in req:
            key, _, val = req.partition("!=")
            if labels.get(key.strip()) == val.strip():
                return False
        elif "=" in req:
            key, _, val = req.partition("==" if "==" in req else "=")
            if labels.get(key.strip()) != val.strip():
                return False
        elif req.startswith("!"):
            if req[1:].strip() in labels:
                return False
        elif req not in labels:
            return False
    return True


# --------------------------------------------------------------------------------------------
# the server


def _rfc3339nano(ts: str | datetime) -> str:
    """kubelet's RFC3339NanoFixed: always 9 fractional digits."""
    dt = _parse_time(ts)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond * 1000:09d}Z"


def _parse_time(ts: str | datetime) -> datetime:
    if isinstance(ts, datetime):
        return ts.astimezone(timezone.utc)
    text = ts.replace("Z", "+00:00")
    if "." in text:  # trim nanoseconds to microseconds for fromisoformat
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.fromisoformat(text).astimezone(timezone.utc)


class KubeStub:
    """The stand-in API server. Start with a scenario; it writes a kubeconfig and a HOME."""

    def __init__(
        self,
        scenario: dict[str, Any],
        tmpdir: str | os.PathLike[str],
        *,
        token: str = TOKEN,
        context: str = "stub",
    ) -> None:
        self.scenario = scenario
        self.tmpdir = Path(tmpdir)
        self.token = token
        self.context = context
        self.requests: list[dict[str, Any]] = []
        self.inflight_logs = 0
        self.max_inflight_logs = 0
        """Most log requests served at once (a scenario's ``log_delay`` makes them overlap)."""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.closing = threading.Event()
        """Set by :meth:`stop`: followed log streams end."""
        self.stream_generation: dict[str, int] = {}
        """``ns/pod/container`` -> bumped by :meth:`end_log_stream` to end the open follows."""
        self.streams_open = 0
        """Followed log responses still open."""
        self.home = self.tmpdir / "home"
        self.kubeconfig = self.tmpdir / "kubeconfig"

    # lifecycle ------------------------------------------------------------------------------

    def start(self) -> KubeStub:
        stub = self

        class Handler(_Handler):
            owner = stub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.home.mkdir(parents=True, exist_ok=True)
        self.write_kubeconfig()
        return self

    def stop(self) -> None:
        self.closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_kubeconfig(self, path: Path | None = None, *, namespace: str | None = "demo") -> Path:
        """Write a kubeconfig (JSON is valid YAML) pointing at this server with a token user."""
        path = path or self.kubeconfig
        ctx: dict[str, Any] = {"cluster": "stub-cluster", "user": "stub-user"}
        if namespace:
            ctx["namespace"] = namespace
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "stub-cluster", "cluster": {"server": self.url}}],
            "users": [{"name": "stub-user", "user": {"token": self.token}}],
            "contexts": [{"name": self.context, "context": ctx}],
            "current-context": self.context,
        }
        path.write_text(json.dumps(config, indent=2))
        return path

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a kubectl subprocess: temporary HOME and KUBECONFIG, never the user's."""
        env = dict(os.environ if base is None else base)
        env["HOME"] = str(self.home)
        env["KUBECONFIG"] = str(self.kubeconfig)
        return env

    def set_scenario(self, scenario: dict[str, Any]) -> None:
        with self._lock:
            self.scenario = scenario
            self.requests.clear()
            self.max_inflight_logs = 0

    def log_started(self) -> None:
        with self._lock:
            self.inflight_logs += 1
            self.max_inflight_logs = max(self.max_inflight_logs, self.inflight_logs)

    def log_finished(self) -> None:
        with self._lock:
            self.inflight_logs -= 1

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)

    def log_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/log")]

    # changing the cluster while it runs (followed logs see it) ------------------------------

    def append_log(self, key: str, lines: list[tuple[str, str]]) -> None:
        """Append (timestamp, line) pairs to the current log of ``ns/pod/container``."""
        with self._lock:
            self.scenario.setdefault("logs", {}).setdefault(key, []).extend(lines)

    def add_pod(self, pod: dict[str, Any], lines: list[tuple[str, str]] | None = None) -> None:
        """A new pod (and the log of its first container) appears."""
        ns = pod["metadata"].get("namespace", "")
        key = f"{ns}/{pod['metadata']['name']}/{pod['spec']['containers'][0]['name']}"
        with self._lock:
            self.scenario.setdefault("logs", {})[key] = list(lines or [])
            objects = self.scenario.setdefault("objects", {})
            objects["pods"] = [*objects.get("pods", []), pod]

    def delete_pod(self, namespace: str, name: str) -> None:
        with self._lock:
            objects = self.scenario.setdefault("objects", {})
            objects["pods"] = [
                p
                for p in objects.get("pods", [])
                if (p["metadata"].get("namespace"), p["metadata"]["name"]) != (namespace, name)
            ]

    def restart_container(
        self,
        namespace: str,
        pod: str,
        container: str,
        lines: list[tuple[str, str]],
        *,
        reason: str = "OOMKilled",
        exit_code: int = 137,
    ) -> None:
        """The container restarts: its log becomes the previous log, ``lines`` the new one, the
        restartCount grows and the containerID changes; open follows of the old log end."""
        key = f"{namespace}/{pod}/{container}"
        with self._lock:
            logs = self.scenario.setdefault("logs", {})
            old = logs.get(key, [])
            self.scenario.setdefault("previous_logs", {})[key] = list(old)
            logs[key] = list(lines)  # a new list: the followers of the old one end
            objects = self.scenario.setdefault("objects", {})
            pods = []
            for p in objects.get("pods", []):
                if (p["metadata"].get("namespace"), p["metadata"]["name"]) == (namespace, pod):
                    p = copy.deepcopy(p)
                    for st in p["status"].get("containerStatuses", []):
                        if st["name"] != container:
                            continue
                        n = int(st.get("restartCount", 0)) + 1
                        started = st.get("state", {}).get("running", {}).get("startedAt")
                        finished = lines[0][0] if lines else datetime.now(timezone.utc).isoformat()
                        st["restartCount"] = n
                        st["lastState"] = {
                            "terminated": {
                                "exitCode": exit_code,
                                "reason": reason,
                                "startedAt": started,
                                "finishedAt": finished,
                                "containerID": st.get("containerID"),
                            }
                        }
                        st["containerID"] = _container_id(pod, container, n)
                        st["state"] = {"running": {"startedAt": finished}}
                pods.append(p)
            objects["pods"] = pods

    def end_log_stream(self, key: str) -> None:
        """End the open follows of ``ns/pod/container`` (like a dropped connection); the log and
        the container stay as they are."""
        with self._lock:
            self.stream_generation[key] = self.stream_generation.get(key, 0) + 1

    def stream_changed(self, opened: int) -> None:
        with self._lock:
            self.streams_open += opened


class _Handler(BaseHTTPRequestHandler):
    owner: KubeStub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # silence the default access log
        return

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK cost ~40 ms each
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # plumbing -------------------------------------------------------------------------------

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, code: int, obj: Any, ctype: str = "application/json") -> None:
        self._send(code, json.dumps(obj).encode(), ctype)

    def _status(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        self._json(
            code,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": message,
                "reason": reason,
                "details": details or {},
                "code": code,
            },
        )

    def _forbidden(
        self, verb: str, res: Resource, namespace: str | None, name: str | None = None, sub: str | None = None
    ) -> None:
        user = self._user()
        what = res.plural + (f"/{sub}" if sub else "")
        obj = f'{what} "{name}"' if name else what
        where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        msg = (
            f'{obj} is forbidden: User "{user}" cannot {verb} resource "{what}" '
            f'in API group "{res.group}"{where}'
        )
        self._status(403, "Forbidden", msg, {"name": name or "", "group": res.group, "kind": res.plural})

    def _user(self) -> str:
        return self.headers.get("Impersonate-User") or self.owner.scenario.get("user", "developer")

    # entry points ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.owner.record(
            {
                "method": self.command,
                "path": split.path,
                "query": query,
                "accept": self.headers.get("Accept", ""),
                "headers": dict(self.headers.items()),
                "body": body.decode("utf-8", "replace"),
            }
        )
        scenario = self.owner.scenario
        # client-go does not send a bearer token over plain http, so a missing header is accepted;
        # a wrong one (or a scenario that says so) is 401.
        auth = self.headers.get("Authorization")
        if scenario.get("unauthorized") or (auth is not None and auth != f"Bearer {self.owner.token}"):
            self._status(401, "Unauthorized", "Unauthorized")
            return
        try:
            self._route(split.path, query, body)
        except BrokenPipeError:
            pass
        except Exception as exc:  # noqa: BLE001 - a stub bug must show up as a 500, not a dropped connection
            self._status(500, "InternalError", f"stub error: {exc!r}")

    def _route(self, path: str, query: dict[str, str], body: bytes) -> None:
        parts = [p for p in path.split("/") if p]
        accept = self.headers.get("Accept", "")
        if path == "/version":
            self._json(
                200,
                {
                    "major": "1",
                    "minor": "32",
                    "gitVersion": "v1.32.4-stub",
                    "gitCommit": "0" * 40,
                    "gitTreeState": "clean",
                    "buildDate": "2025-01-01T00:00:00Z",
                    "goVersion": "go1.23.8",
                    "compiler": "gc",
                    "platform": "linux/amd64",
                },
            )
            return
        if path in ("/api", "/apis"):
            self._discovery_root(path, accept)
            return
        if parts[:1] == ["api"] and len(parts) == 2:
            self._resource_list("", parts[1])
            return
        if parts[:1] == ["apis"] and len(parts) == 2:
            self._group(parts[1])
            return
        if parts[:1] == ["apis"] and len(parts) == 3:
            self._resource_list(parts[1], parts[2])
            return
        if parts[:1] == ["api"]:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"]:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            self._status(404, "NotFound", "the server could not find the requested resource")
            return
        self._resource_request(group, version, rest, query, body)

    # discovery ------------------------------------------------------------------------------

    def _groups(self) -> dict[str, list[Resource]]:
        groups: dict[str, list[Resource]] = {}
        for res in _resources(self.owner.scenario):
            groups.setdefault(res.group, []).append(res)
        return groups

    def _discovery_root(self, path: str, accept: str) -> None:
        groups = self._groups()
        if "g=apidiscovery.k8s.io;v=v2" in accept and "as=APIGroupDiscoveryList" in accept:
            items = []
            for group, resources in groups.items():
                if (path == "/api") != (group == ""):
                    continue
                items.append(
                    {
                        "metadata": {"name": group, "creationTimestamp": None},
                        "versions": [
                            {
                                "version": resources[0].version,
                                "resources": [self._aggregated_resource(r) for r in resources],
                                "freshness": "Current",
                            }
                        ],
                    }
                )
            self._json(
                200,
                {
                    "kind": "APIGroupDiscoveryList",
                    "apiVersion": "apidiscovery.k8s.io/v2",
                    "metadata": {},
                    "items": items,
                },
                AGGREGATED_V2,
            )
            return
        if path == "/api":
            self._json(
                200,
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
                },
            )
            return
        self._json(
            200,
            {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [self._legacy_group(g, rs) for g, rs in groups.items() if g],
            },
        )

    @staticmethod
    def _aggregated_resource(r: Resource) -> dict[str, Any]:
        out: dict[str, Any] = {
            "resource": r.plural,
            "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
            "scope": "Namespaced" if r.namespaced else "Cluster",
            "singularResource": r.kind.lower(),
            "verbs": list(r.verbs),
        }
        if r.short:
            out["shortNames"] = list(r.short)
        if r.subresources:
            out["subresources"] = [
                {
                    "subresource": s,
                    "responseKind": {"group": "", "version": "v1", "kind": "Pod"},
                    "verbs": ["get"],
                }
                for s in r.subresources
            ]
        return out

    @staticmethod
    def _legacy_group(group: str, resources: list[Resource]) -> dict[str, Any]:
        gv = f"{group}/{resources[0].version}"
        return {
            "name": group,
            "versions": [{"groupVersion": gv, "version": resources[0].version}],
            "preferredVersion": {"groupVersion": gv, "version": resources[0].version},
        }

    def _group(self, group: str) -> None:
        resources = self._groups().get(group)
        if not resources:
            self._status(404, "NotFound", "the server could not find the requested resource")
            return
        self._json(200, {"kind": "APIGroup", "apiVersion": "v1", **self._legacy_group(group, resources)})

    def _resource_list(self, group: str, version: str) -> None:
        resources = [r for r in self._groups().get(group, []) if r.version == version]
        if not resources:
            self._status(404, "NotFound", "the server could not find the requested resource")
            return
        items = []
        for r in resources:
            items.append(
                {
                    "name": r.plural,
                    "singularName": r.kind.lower(),
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": list(r.verbs),
                    "shortNames": list(r.short),
                }
            )
            for s in r.subresources:
                items.append(
                    {
                        "name": f"{r.plural}/{s}",
                        "singularName": "",
                        "namespaced": r.namespaced,
                        "kind": "Pod",
                        "verbs": ["get"],
                    }
                )
        self._json(
            200,
            {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version,
                "resources": items,
            },
        )

    # resources ------------------------------------------------------------------------------

    def _find(self, group: str, plural: str) -> Resource | None:
        for r in _resources(self.owner.scenario):
            if r.group == group and r.plural == plural:
                return r
        return None

    def _objects(self, res: Resource) -> list[dict[str, Any]]:
        return list(self.owner.scenario.get("objects", {}).get(res.key, []))

    def _resource_request(
        self, group: str, version: str, rest: list[str], query: dict[str, str], body: bytes
    ) -> None:
        scenario = self.owner.scenario
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) != 2:
            namespace, rest = rest[1], rest[2:]
        elif len(rest) == 2 and rest[0] == "namespaces":
            # GET /api/v1/namespaces/NAME: the namespace object itself
            self._namespace(rest[1])
            return
        if not rest:
            self._status(404, "NotFound", "the server could not find the requested resource")
            return
        res = self._find(group, rest[0])
        if res is None:
            self._status(404, "NotFound", "the server could not find the requested resource")
            return
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if res.plural == "selfsubjectaccessreviews" and self.command == "POST":
            self._access_review(body)
            return
        if res.plural == "namespaces" and name is None:
            self._list(res, None, query)
            return
        verb = "get" if name else "list"
        if namespace in scenario.get("forbidden_namespaces", ()) or res.key in scenario.get(
            "forbidden_resources", ()
        ):
            self._forbidden(verb, res, namespace, name, sub)
            return
        if res.key in scenario.get("broken_resources", ()):
            self._status(500, "InternalError", f"etcdserver: request timed out (get {res.plural})")
            return
        if name is None:
            self._list(res, namespace, query)
            return
        obj = next(
            (
                o
                for o in self._objects(res)
                if o["metadata"]["name"] == name
                and (namespace is None or o["metadata"].get("namespace") == namespace)
            ),
            None,
        )
        if obj is None:
            self._status(
                404,
                "NotFound",
                f'{res.plural} "{name}" not found',
                {"name": name, "group": res.group, "kind": res.plural},
            )
            return
        if sub == "log" and res.plural == "pods":
            self.owner.log_started()
            try:
                time.sleep(float(scenario.get("log_delay", 0)))
                self._log(obj, query)
            finally:
                self.owner.log_finished()
            return
        self._json(200, obj)

    def _namespace(self, name: str) -> None:
        scenario = self.owner.scenario
        ns_res = self._find("", "namespaces")
        assert ns_res is not None
        if name in scenario.get("forbidden_namespaces", ()):
            self._forbidden("get", ns_res, None, name)
            return
        if name not in scenario.get("namespaces", ()):
            self._status(
                404, "NotFound", f'namespaces "{name}" not found', {"name": name, "kind": "namespaces"}
            )
            return
        self._json(
            200,
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
                "status": {"phase": "Active"},
            },
        )

    def _list(self, res: Resource, namespace: str | None, query: dict[str, str]) -> None:
        if res.plural == "namespaces":
            items = [
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
                for n in self.owner.scenario.get("namespaces", ())
            ]
        else:
            items = [
                o
                for o in self._objects(res)
                if namespace is None or o["metadata"].get("namespace") == namespace
            ]
            if namespace is None:
                forbidden = set(self.owner.scenario.get("forbidden_namespaces", ()))
                if forbidden:  # cluster-wide list needs cluster-wide rights
                    self._forbidden("list", res, None)
                    return
        sel = query.get("labelSelector")
        if sel:
            items = [o for o in items if selector_matches(sel, o["metadata"].get("labels") or {})]
        out = []
        for o in items:
            o = copy.deepcopy(o)
            o.setdefault("apiVersion", res.api_version)
            o.setdefault("kind", res.kind)
            out.append(o)
        self._json(
            200,
            {
                "kind": f"{res.kind}List",
                "apiVersion": res.api_version,
                "metadata": {"resourceVersion": "1"},
                "items": out,
            },
        )

    def _log(self, pod: dict[str, Any], query: dict[str, str]) -> None:
        scenario = self.owner.scenario
        pod_name = pod["metadata"]["name"]
        ns = pod["metadata"].get("namespace", "")
        containers = [c["name"] for c in pod["spec"]["containers"]]
        container = query.get("container") or (containers[0] if len(containers) == 1 else None)
        if container is None:
            self._status(
                400,
                "BadRequest",
                f"a container name must be specified for pod {pod_name}, choose one of: "
                f"[{' '.join(containers)}]",
            )
            return
        if container not in containers:
            self._status(400, "BadRequest", f"container {container} is not valid for pod {pod_name}")
            return
        previous = query.get("previous") == "true"
        key = f"{ns}/{pod_name}/{container}"
        if key in scenario.get("log_errors", {}):
            code, message = scenario["log_errors"][key]
            self._status(code, "InternalError" if code >= 500 else "BadRequest", message)
            return
        lines = scenario.get("previous_logs" if previous else "logs", {}).get(key)
        if lines is None:
            if previous:
                self._status(
                    400,
                    "BadRequest",
                    f'previous terminated container "{container}" in pod "{pod_name}" not found',
                )
                return
            lines = []
        if query.get("follow") == "true" and not previous:
            self._follow(pod, key, query)
            return
        lines = list(lines)
        now = _parse_time(scenario.get("now", datetime.now(timezone.utc)))
        if "sinceSeconds" in query:
            cutoff = now - timedelta(seconds=int(query["sinceSeconds"]))
            lines = [(t, s) for t, s in lines if _parse_time(t) >= cutoff]
        if "sinceTime" in query:
            cutoff = _parse_time(query["sinceTime"])
            lines = [(t, s) for t, s in lines if _parse_time(t) >= cutoff]
        if "tailLines" in query:
            n = int(query["tailLines"])
            lines = lines[-n:] if n > 0 else []
        stamp = query.get("timestamps") == "true"
        text = "".join((f"{_rfc3339nano(t)} {s}\n" if stamp else f"{s}\n") for t, s in lines)
        self._send(200, text.encode(), "text/plain")

    def _follow(self, pod: dict[str, Any], key: str, query: dict[str, str]) -> None:
        """A followed log: the lines so far (after ``since``/``tail``), then every line appended to
        the same list, as HTTP chunks, until the log ends (see the module docstring)."""
        owner = self.owner
        scenario = owner.scenario
        lines = scenario.get("logs", {}).setdefault(key, [])
        generation = owner.stream_generation.get(key, 0)
        ns, name = pod["metadata"].get("namespace", ""), pod["metadata"]["name"]
        sent = 0
        stamp = query.get("timestamps") == "true"
        tail = int(query["tailLines"]) if "tailLines" in query else None
        since = _parse_time(query["sinceTime"]) if "sinceTime" in query else None
        if "sinceSeconds" in query:
            now = _parse_time(scenario.get("now", datetime.now(timezone.utc)))
            since = now - timedelta(seconds=int(query["sinceSeconds"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        owner.stream_changed(+1)

        def chunk(data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def flush_new(first: bool) -> None:
            nonlocal sent
            batch = list(lines[sent:])
            sent += len(batch)
            if since is not None:
                batch = [(t, s) for t, s in batch if _parse_time(t) >= since]
            if first and tail is not None:
                batch = batch[-tail:] if tail > 0 else []
            if batch:
                chunk("".join((f"{_rfc3339nano(t)} {s}\n" if stamp else f"{s}\n") for t, s in batch).encode())

        try:
            flush_new(True)
            while not owner.closing.is_set():
                if owner.scenario is not scenario:
                    break
                current = scenario.get("logs", {}).get(key)
                ended = (
                    current is not lines
                    or owner.stream_generation.get(key, 0) != generation
                    or not any(
                        p["metadata"]["name"] == name and p["metadata"].get("namespace", "") == ns
                        for p in scenario.get("objects", {}).get("pods", [])
                    )
                )
                flush_new(False)  # the old container's last lines go out before the end
                if ended:
                    break
                # wait a little, and notice a client that went away
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable:
                    try:
                        if not self.connection.recv(1, socket.MSG_PEEK):
                            return
                    except OSError:
                        return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            owner.stream_changed(-1)

    def _access_review(self, body: bytes) -> None:
        scenario = self.owner.scenario
        if "protobuf" in self.headers.get("Content-Type", ""):
            review = _review_from_protobuf(body)
        else:
            review = json.loads(body or b"{}")
        impersonated = self.headers.get("Impersonate-User")
        if impersonated and not scenario.get("may_impersonate", True):
            kind = "serviceaccounts" if impersonated.startswith("system:serviceaccount:") else "users"
            name = impersonated.rsplit(":", 1)[-1]
            ns = impersonated.split(":")[2] if kind == "serviceaccounts" else None
            where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
            self._status(
                403,
                "Forbidden",
                f'{kind} "{name}" is forbidden: User "{scenario.get("user", "developer")}" cannot '
                f'impersonate resource "{kind}" in API group ""{where}',
                {"name": name, "kind": kind},
            )
            return
        attrs = review.get("spec", {}).get("resourceAttributes", {})
        user = impersonated or scenario.get("user", "developer")
        verb, resource, ns = attrs.get("verb", ""), attrs.get("resource", ""), attrs.get("namespace", "")
        rules = scenario.get("can_i", {}).get(user, {})
        allowed = rules.get(f"{verb} {resource}", rules.get("*", True))
        review["status"] = {"allowed": bool(allowed)}
        if not allowed:
            review["status"]["reason"] = f"no RBAC policy matched ({verb} {resource} in {ns})"
        review.setdefault("apiVersion", "authorization.k8s.io/v1")
        review.setdefault("kind", "SelfSubjectAccessReview")
        self._json(201, review)


def _pb_fields(data: bytes) -> dict[int, list[bytes | int]]:
    """Decode one protobuf message level: field number -> values (bytes or ints)."""
    out: dict[int, list[bytes | int]] = {}
    i = 0

    def varint() -> int:
        nonlocal i
        shift = result = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while i < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            out.setdefault(field, []).append(varint())
        elif wire == 2:
            n = varint()
            out.setdefault(field, []).append(data[i : i + n])
            i += n
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return out


def _review_from_protobuf(body: bytes) -> dict[str, Any]:
    """A SelfSubjectAccessReview sent as Kubernetes protobuf (``k8s\\0`` + runtime.Unknown)."""
    if not body.startswith(b"k8s\x00"):
        raise ValueError("not a kubernetes protobuf envelope")
    unknown = _pb_fields(body[4:])
    raw = unknown[2][0]
    assert isinstance(raw, bytes)
    spec_b = _pb_fields(raw).get(2, [b""])[0]
    assert isinstance(spec_b, bytes)
    attrs_b = _pb_fields(spec_b).get(1, [b""])[0]
    assert isinstance(attrs_b, bytes)
    fields = _pb_fields(attrs_b)
    names = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
    attrs = {}
    for num, key in names.items():
        value = fields.get(num, [b""])[0]
        attrs[key] = value.decode() if isinstance(value, bytes) else str(value)
    return {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "metadata": {},
        "spec": {"resourceAttributes": attrs},
    }


# --------------------------------------------------------------------------------------------
# object builders and the seed's scenarios


def _container_id(pod: str, container: str, restarts: int) -> str:
    digest = zlib.crc32(f"{pod}/{container}".encode())
    return f"containerd://{digest:08x}{restarts:04d}"


def make_pod(
    name: str,
    *,
    namespace: str = "demo",
    labels: dict[str, str] | None = None,
    env: list[dict[str, Any]] | None = None,
    args: list[str] | None = None,
    image: str = "quay.io/keycloak/keycloak:11.0.2",
    ip: str = "10.128.2.15",
    ready: bool = True,
    restart_count: int = 0,
    last_state: dict[str, Any] | None = None,
    owner: tuple[str, str] | None = ("ReplicaSet", "keycloak-demo-5d8f7c9b4"),
    service_account: str = "default",
    container: str = "keycloak",
    extra_containers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": dict(
            labels if labels is not None else {"app": "keycloak", "pod-template-hash": "5d8f7c9b4"}
        ),
        "uid": f"uid-{name}",
        "creationTimestamp": "2020-10-20T07:25:00Z",
    }
    if owner:
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1" if owner[0] != "ReplicationController" else "v1",
                "kind": owner[0],
                "name": owner[1],
                "uid": f"uid-{owner[1]}",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    main: dict[str, Any] = {
        "name": container,
        "image": image,
        "env": copy.deepcopy(env or []),
        "ports": [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 7800, "name": "jgroups", "protocol": "TCP"},
        ],
    }
    if args:
        main["args"] = list(args)
    containers = [main] + copy.deepcopy(list(extra_containers or []))
    statuses = []
    for c in containers:
        st: dict[str, Any] = {
            "name": c["name"],
            "image": c["image"],
            "ready": ready,
            "restartCount": restart_count if c is main else 0,
            "containerID": _container_id(name, c["name"], restart_count if c is main else 0),
            "state": {"running": {"startedAt": "2020-10-20T07:25:30Z"}},
            "lastState": copy.deepcopy(last_state or {}) if c is main else {},
        }
        statuses.append(st)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": containers,
            "serviceAccountName": service_account,
            "serviceAccount": service_account,
            "nodeName": "crc-node",
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": statuses,
        },
    }


def make_service(
    name: str,
    *,
    namespace: str = "demo",
    cluster_ip: str = "172.25.250.178",
    selector: dict[str, str] | None = None,
    port: int = 8443,
    publish_not_ready: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "clusterIP": cluster_ip,
        "clusterIPs": [cluster_ip],
        "type": "ClusterIP",
        "selector": dict(selector or {"app": "keycloak"}),
        "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}],
    }
    if publish_not_ready:
        spec["publishNotReadyAddresses"] = True
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def make_endpoints(
    name: str, pods: list[dict[str, Any]], *, namespace: str = "demo", port: int = 8443
) -> dict[str, Any]:
    ready, not_ready = [], []
    for p in pods:
        addr = {
            "ip": p["status"]["podIP"],
            "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": namespace},
        }
        (ready if p["status"]["conditions"][0]["status"] == "True" else not_ready).append(addr)
    subset: dict[str, Any] = {"addresses": ready, "ports": [{"port": port, "protocol": "TCP"}]}
    if not_ready:
        subset["notReadyAddresses"] = not_ready
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": name, "namespace": namespace},
        "subsets": [subset] if pods else [],
    }


def _wildfly(ts: str, level: str, category: str, thread: str, msg: str) -> tuple[str, str]:
    """A WildFly console line (time of day only) with the kubelet timestamp it was written at."""
    clock = ts[11:19] + "," + ts[20:23]
    return ts, f"{clock} {level:<5} [{category}] ({thread}) {msg}"


def seed_boot_log(
    pod: str,
    anchor: str,
    *,
    view: str | None,
    created_ms: int | None,
    ip: str = "10.128.2.15",
    channel_delay_ms: int = 1093,
) -> list[tuple[str, str]]:
    """A Keycloak 11 (WildFly) boot with the seed's membership lines for ``pod``.

    ``anchor`` is the kubelet time of the first membership line (the GMS "creating cluster" line
    when ``created_ms`` is given, else ISPN000078); boot lines come before it, noise after.
    """
    base = _parse_time(anchor)

    def at(ms: int) -> str:
        return (base + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"

    lines = [
        _wildfly(at(-9800), "INFO", "org.jboss.modules", "main", "JBoss Modules version 1.10.1.Final"),
        _wildfly(at(-9388), "INFO", "org.jboss.msc", "main", "JBoss MSC version 1.4.11.Final"),
        _wildfly(at(-9369), "INFO", "org.jboss.threads", "main", "JBoss Threads version 2.3.3.Final"),
        _wildfly(
            at(-9202),
            "INFO",
            "org.jboss.as",
            "MSC service thread 1-2",
            "WFLYSRV0049: Keycloak 11.0.2 (WildFly Core 12.0.3.Final) starting",
        ),
        _wildfly(
            at(-4590),
            "INFO",
            "org.wildfly.extension.undertow",
            "MSC service thread 1-1",
            f"WFLYUT0006: Undertow HTTP listener default listening on {ip}:8080",
        ),
    ]
    offset = 0
    if created_ms is not None:
        lines.append(
            _wildfly(
                at(0),
                "INFO",
                "org.jgroups.protocols.pbcast.GMS",
                "ServerService Thread Pool -- 60",
                f"{pod}: no members discovered after {created_ms} ms: creating cluster as coordinator",
            )
        )
        offset = channel_delay_ms
    lines.append(
        _wildfly(
            at(offset),
            "INFO",
            "org.infinispan.CLUSTER",
            "MSC service thread 1-1",
            "ISPN000078: Starting JGroups channel ejb",
        )
    )
    if view:
        lines.append(
            _wildfly(
                at(offset + 9 + 9 * (created_ms is None)),
                "INFO",
                "org.infinispan.CLUSTER",
                "MSC service thread 1-1",
                f"ISPN000094: Received new cluster view for channel ejb: {view}",
            )
        )
    lines += [
        _wildfly(
            at(offset + 325),
            "INFO",
            "org.infinispan.CONTAINER",
            "ServerService Thread Pool -- 62",
            "ISPN000128: Infinispan version: Infinispan 'Turia' 10.1.8.Final",
        ),
        _wildfly(
            at(offset + 1641),
            "INFO",
            "org.jboss.as.clustering.infinispan",
            "ServerService Thread Pool -- 62",
            "WFLYCLINF0002: Started sessions cache from keycloak container",
        ),
        _wildfly(
            at(offset + 5157),
            "INFO",
            "org.jboss.as",
            "Controller Boot Thread",
            "WFLYSRV0025: Keycloak 11.0.2 (WildFly Core 12.0.3.Final) started in 15021ms - "
            "Started 692 of 997 services (708 services are lazy, passive or on-demand)",
        ),
    ]
    return lines


SEED_ENV_SPLIT = [
    {"name": "KEYCLOAK_USER", "value": "admin"},
    {"name": "KEYCLOAK_PASSWORD", "value": "s3cr3t-admin-pw"},
    {"name": "DB_VENDOR", "value": "h2"},
    {"name": "JGROUPS_DISCOVERY_PROTOCOL", "value": "dns.DNS_PING"},
    {"name": "JGROUPS_DISCOVERY_PROPERTIES", "value": "dns_query=keycloak-demo.demo.svc.cluster.local"},
]


def seed_split_scenario() -> dict[str, Any]:
    """The seed's split: DNS_PING asks the ClusterIP Service ``keycloak-demo`` (172.25.250.178)."""
    pods = [
        make_pod("keycloak-demo-1-n8gpd", env=SEED_ENV_SPLIT, ip="10.128.2.15"),
        make_pod("keycloak-demo-1-j6p5h", env=SEED_ENV_SPLIT, ip="10.128.2.16"),
    ]
    logs = {
        "demo/keycloak-demo-1-n8gpd/keycloak": seed_boot_log(
            "keycloak-demo-1-n8gpd",
            "2020-10-20T07:26:27.828Z",
            created_ms=3321,
            ip="10.128.2.15",
            view="[keycloak-demo-1-n8gpd|0] (1) [keycloak-demo-1-n8gpd]",
        ),
        "demo/keycloak-demo-1-j6p5h/keycloak": seed_boot_log(
            "keycloak-demo-1-j6p5h",
            "2020-10-20T07:30:35.764Z",
            created_ms=3322,
            ip="10.128.2.16",
            view="[keycloak-demo-1-j6p5h|0] (1) [keycloak-demo-1-j6p5h]",
        ),
    }
    services = [make_service("keycloak-demo", cluster_ip="172.25.250.178")]
    return {
        "user": "developer",
        "namespaces": ["demo"],
        "now": "2020-10-20T08:00:00Z",
        "objects": {
            "pods": pods,
            "services": services,
            "endpoints": [make_endpoints("keycloak-demo", pods)],
            "deployments": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "keycloak-demo", "namespace": "demo", "uid": "uid-dep"},
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "keycloak"}}},
                    "status": {"replicas": 2, "readyReplicas": 2},
                }
            ],
            "replicasets": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "metadata": {
                        "name": "keycloak-demo-5d8f7c9b4",
                        "namespace": "demo",
                        "uid": "uid-keycloak-demo-5d8f7c9b4",
                        "ownerReferences": [
                            {
                                "apiVersion": "apps/v1",
                                "kind": "Deployment",
                                "name": "keycloak-demo",
                                "uid": "uid-dep",
                                "controller": True,
                            }
                        ],
                    },
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "keycloak"}}},
                }
            ],
            "events": [],
            "configmaps": [],
        },
        "logs": logs,
    }


def seed_fix_scenario() -> dict[str, Any]:
    """The seed's fix: a headless ``keycloak-demo-discovery`` Service; the second pod joins."""
    env = [dict(e) for e in SEED_ENV_SPLIT]
    env[-1]["value"] = "dns_query=keycloak-demo-discovery.demo.svc.cluster.local"
    pods = [
        make_pod("keycloak-demo-1-mvrfg", env=env, ip="10.128.2.21"),
        make_pod("keycloak-demo-1-vv5jn", env=env, ip="10.128.2.22"),
    ]
    sc = seed_split_scenario()
    sc["objects"]["pods"] = pods
    sc["objects"]["services"] = [
        make_service("keycloak-demo", cluster_ip="172.25.250.178"),
        make_service("keycloak-demo-discovery", cluster_ip="None", port=8080, publish_not_ready=True),
    ]
    sc["objects"]["endpoints"] = [
        make_endpoints("keycloak-demo", pods),
        make_endpoints("keycloak-demo-discovery", pods, port=8080),
    ]
    sc["logs"] = {
        "demo/keycloak-demo-1-mvrfg/keycloak": seed_boot_log(
            "keycloak-demo-1-mvrfg",
            "2020-10-20T07:42:50.796Z",
            created_ms=3037,
            ip="10.128.2.21",
            view="[keycloak-demo-1-mvrfg|0] (1) [keycloak-demo-1-mvrfg]",
        ),
        "demo/keycloak-demo-1-vv5jn/keycloak": seed_boot_log(
            "keycloak-demo-1-vv5jn",
            "2020-10-20T07:45:02.173Z",
            created_ms=None,
            ip="10.128.2.22",
            view="[keycloak-demo-1-mvrfg|1] (2) [keycloak-demo-1-mvrfg, keycloak-demo-1-vv5jn]",
        ),
    }
    return sc


def kube_ping_forbidden_scenario() -> dict[str, Any]:
    """KUBE_PING whose ServiceAccount ``keycloak`` may not list pods."""
    env = [
        {"name": "JGROUPS_DISCOVERY_PROTOCOL", "value": "kubernetes.KUBE_PING"},
        {"name": "KUBERNETES_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "KUBERNETES_LABELS", "value": "app=keycloak"},
    ]
    sc = seed_split_scenario()
    for p in sc["objects"]["pods"]:
        p["spec"]["containers"][0]["env"] = env
        p["spec"]["serviceAccountName"] = p["spec"]["serviceAccount"] = "keycloak"
    sc["can_i"] = {"system:serviceaccount:demo:keycloak": {"list pods": False, "get pods": False}}
    return sc


def restarted_pod_scenario() -> dict[str, Any]:
    """The split scenario where one pod restarted after an OOM kill and has a previous log."""
    sc = seed_split_scenario()
    pod = sc["objects"]["pods"][1]
    status = pod["status"]["containerStatuses"][0]
    status["restartCount"] = 1
    status["lastState"] = {
        "terminated": {
            "exitCode": 137,
            "reason": "OOMKilled",
            "startedAt": "2020-10-20T07:20:00Z",
            "finishedAt": "2020-10-20T07:30:20Z",
        }
    }
    sc["previous_logs"] = {
        "demo/keycloak-demo-1-j6p5h/keycloak": seed_boot_log(
            "keycloak-demo-1-j6p5h",
            "2020-10-20T07:20:10.412Z",
            created_ms=3318,
            ip="10.128.2.16",
            view="[keycloak-demo-1-j6p5h|0] (1) [keycloak-demo-1-j6p5h]",
        )
    }
    sc["objects"]["events"] = [
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "keycloak-demo-1-j6p5h.16a", "namespace": "demo"},
            "involvedObject": {"kind": "Pod", "name": "keycloak-demo-1-j6p5h", "namespace": "demo"},
            "reason": "BackOff",
            "type": "Warning",
            "count": 1,
            "message": "Back-off restarting failed container keycloak in pod keycloak-demo-1-j6p5h",
            "lastTimestamp": "2020-10-20T07:30:21Z",
        }
    ]
    return sc
