"""Driving the real ``kubectl`` (or ``oc``) as a subprocess with an argument list, never a shell.

The user's ``KUBECONFIG``, current context and namespace apply exactly as they do for kubectl:
the environment is passed through and ``--kubeconfig``/``--context``/``-n`` are forwarded.
Only structured output (``-o json``) is read. kubectl's error text is turned into a
:class:`KubectlError` whose ``kind`` says what went wrong (forbidden, unauthorized, unreachable …)
and whose message names the verb and resource kubectl was refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REQUEST_TIMEOUT = "30s"
"""kubectl ``--request-timeout`` for API calls other than logs."""
LOG_REQUEST_TIMEOUT = "10m"
"""``--request-timeout`` for log downloads (it bounds reading the whole body)."""
PROCESS_TIMEOUT = 120.0
LOG_PROCESS_TIMEOUT = 660.0
MAX_STDERR = 64 * 1024

HINT_NOT_FOUND = (
    "install kubectl (or oc) or point jgview at it with --kubectl /path/to/kubectl "
    "(--kubectl oc for OpenShift)"
)


class KubectlNotFound(Exception):
    """Neither the requested binary nor kubectl/oc could be run."""


@dataclass
class KubectlError(Exception):
    """kubectl failed; ``message`` is one line meant for people."""

    message: str
    kind: str = "error"
    """``forbidden``, ``unauthorized``, ``not-found``, ``unreachable``, ``timeout``, ``no-resource-type``,
    ``bad-request``, ``config`` or ``error``."""
    verb: str | None = None
    resource: str | None = None
    namespace: str | None = None
    user: str | None = None
    stderr: str = field(default="", repr=False)

    def __str__(self) -> str:
        return self.message


def find_kubectl(requested: str | None = None) -> str:
    """The kubectl-compatible binary to run: ``requested`` (a path or a name on PATH), else
    ``kubectl``, else ``oc``. Raises :class:`KubectlNotFound` with a hint."""
    if requested:
        if os.sep in requested or (os.altsep and os.altsep in requested):
            p = Path(requested).expanduser()
            if p.is_file() and os.access(p, os.X_OK):
                return str(p)
            raise KubectlNotFound(f"{requested} is not an executable file; {HINT_NOT_FOUND}")
        found = shutil.which(requested)
        if found:
            return found
        raise KubectlNotFound(f"{requested} not found on PATH; {HINT_NOT_FOUND}")
    for name in ("kubectl", "oc"):
        found = shutil.which(name)
        if found:
            return found
    raise KubectlNotFound(f"neither kubectl nor oc found on PATH; {HINT_NOT_FOUND}")


# --------------------------------------------------------------------------------------------
# kubectl's error text

_FORBIDDEN = re.compile(
    r'User "(?P<user>[^"]{0,300})" cannot (?P<verb>[a-z]{1,40}) resource "(?P<resource>[^"]{1,200})"'
    r'(?: in API group "(?P<group>[^"]{0,200})")?'
    r'(?: in the namespace "(?P<ns>[^"]{0,200})"| at the cluster scope)?'
)
_SERVER_ERROR = re.compile(r"Error from server \((?P<reason>[A-Za-z]{1,60})\): (?P<msg>[^\n]{0,2000})")
_NOT_FOUND_OBJ = re.compile(r'(?P<res>[a-z0-9.]{1,200}) "(?P<name>[^"]{0,300})" not found')
_NO_TYPE = re.compile(r'the server doesn\'t have a resource type "(?P<res>[^"]{1,200})"')
_UNREACHABLE = (
    "connection to the server",
    "unable to connect to the server",
    "connection refused",
    "no such host",
    "dial tcp",
    "i/o timeout",
    "no route to host",
    "network is unreachable",
    "tls handshake timeout",
    ": eof",
)
_TIMEOUT = ("context deadline exceeded", "client.timeout exceeded", "request canceled", "timeout")


def _noise_free(stderr: str) -> list[str]:
    """kubectl's stderr without klog lines (``E1201 15:15:42.279677 ...``) and warnings."""
    out = []
    for line in stderr.splitlines():
        s = line.strip()
        if not s or re.match(r"^[IWE]\d{4} \d\d:\d\d:\d\d", s) or s.startswith("Warning:"):
            continue
        out.append(s)
    return out


def classify(stderr: str, args: list[str] | None = None) -> KubectlError:
    """Turn kubectl's stderr into a :class:`KubectlError` with a one-line message."""
    stderr = stderr[-MAX_STDERR:]
    lines = _noise_free(stderr) or [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    text = lines[-1] if lines else "kubectl failed without a message"
    joined = "\n".join(lines)
    m = _SERVER_ERROR.search(joined)
    if m:
        reason, msg = m.group("reason"), m.group("msg").strip()
        if reason == "Forbidden":
            f = _FORBIDDEN.search(msg)
            if f:
                where = f' in namespace "{f.group("ns")}"' if f.group("ns") else " at the cluster scope"
                group = f.group("group")
                res = f.group("resource") + (f".{group}" if group else "")
                return KubectlError(
                    f'forbidden: user "{f.group("user")}" may not {f.group("verb")} {res}{where} '
                    f"(kubectl: {msg})",
                    kind="forbidden",
                    verb=f.group("verb"),
                    resource=res,
                    namespace=f.group("ns"),
                    user=f.group("user"),
                    stderr=stderr,
                )
            return KubectlError(f"forbidden: {msg}", kind="forbidden", stderr=stderr)
        if reason == "NotFound":
            nf = _NOT_FOUND_OBJ.search(msg)
            return KubectlError(
                msg, kind="not-found", resource=nf.group("res") if nf else None, stderr=stderr
            )
        if reason == "Unauthorized":
            return _unauthorized(msg, stderr)
        if reason in ("BadRequest", "Invalid"):
            return KubectlError(msg, kind="bad-request", stderr=stderr)
        return KubectlError(f"{reason}: {msg}", kind="error", stderr=stderr)
    low = joined.lower()
    nt = _NO_TYPE.search(joined)
    if nt:
        return KubectlError(
            f'the cluster has no resource type "{nt.group("res")}"',
            kind="no-resource-type",
            resource=nt.group("res"),
            stderr=stderr,
        )
    if "must be logged in" in low or "unauthorized" in low or "provide credentials" in low:
        return _unauthorized(text, stderr)
    if (
        re.search(r'context "[^"]*" (?:does not exist|was not found)|no context exists with the name', joined)
        or "error loading config file" in low
        or "invalid configuration" in low
        or "error in configuration" in low
    ):
        return KubectlError(
            f"kubeconfig problem: {text.removeprefix('error: ').removeprefix('Error in configuration: ')}",
            kind="config",
            stderr=stderr,
        )
    if any(t in low for t in _TIMEOUT) and "unable to connect" not in low:
        return KubectlError(f"the cluster did not answer in time: {text}", kind="timeout", stderr=stderr)
    if any(u in low for u in _UNREACHABLE):
        return KubectlError(f"cannot reach the cluster: {text}", kind="unreachable", stderr=stderr)
    return KubectlError(text.removeprefix("error: "), kind="error", stderr=stderr)


def _unauthorized(msg: str, stderr: str) -> KubectlError:
    return KubectlError(
        f"not logged in to the cluster (kubectl: {msg.removeprefix('error: ')}); log in again "
        "(oc login, or refresh the credentials in your kubeconfig) and retry",
        kind="unauthorized",
        stderr=stderr,
    )


# --------------------------------------------------------------------------------------------
# the driver


def _items(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return []
    items = data.get("items") if "items" in data else [data]
    return [i for i in items or [] if isinstance(i, dict)]


class Kubectl:
    """Runs one kubectl-compatible binary with the user's kubeconfig/context forwarded."""

    def __init__(
        self,
        binary: str,
        *,
        kubeconfig: str | None = None,
        context: str | None = None,
        request_timeout: str = REQUEST_TIMEOUT,
        process_timeout: float = PROCESS_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig
        self.context = context
        self.request_timeout = request_timeout
        self.process_timeout = process_timeout
        self.env = env

    def global_args(self, request_timeout: str | None = None, *, local: bool = False) -> list[str]:
        out = []
        if self.kubeconfig:
            out += ["--kubeconfig", self.kubeconfig]
        if self.context:
            out += ["--context", self.context]
        if not local:
            out += ["--request-timeout", request_timeout or self.request_timeout]
        return out

    def run(
        self,
        args: list[str],
        *,
        stdout: Any = None,
        timeout: float | None = None,
        request_timeout: str | None = None,
        local: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``binary ARGS`` (plus the global flags); stdout is captured unless a file is given."""
        argv = [self.binary, *args, *self.global_args(request_timeout, local=local)]
        try:
            return subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=stdout if stdout is not None else subprocess.PIPE,
                stderr=subprocess.PIPE,
                timeout=timeout or self.process_timeout,
                env=self.env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise KubectlNotFound(
                f"{self.binary} could not be run ({exc.strerror}); {HINT_NOT_FOUND}"
            ) from exc
        except PermissionError as exc:
            raise KubectlNotFound(f"{self.binary} is not executable; {HINT_NOT_FOUND}") from exc
        except subprocess.TimeoutExpired as exc:
            raise KubectlError(
                f"kubectl {' '.join(args[:3])} did not finish within "
                f"{int(timeout or self.process_timeout)} s",
                kind="timeout",
            ) from exc

    def _checked(self, args: list[str], **kw: Any) -> bytes:
        proc = self.run(args, **kw)
        if proc.returncode != 0:
            raise classify(proc.stderr.decode("utf-8", "replace"), args)
        return proc.stdout if proc.stdout is not None else b""

    # calls ----------------------------------------------------------------------------------

    def get(
        self,
        resource: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        selector: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """``kubectl get RESOURCE [NAME] [-n NS | -A] [-l SEL] -o json`` as a dict."""
        args = ["get", f"{resource}/{name}" if name else resource]
        if all_namespaces:
            args.append("--all-namespaces")
        elif namespace:
            args.append(f"--namespace={namespace}")
        if selector:
            args.append(f"--selector={selector}")
        args.append("--output=json")
        out = self._checked(args)
        try:
            data = json.loads(out or b"{}")
        except ValueError as exc:
            raise KubectlError(f"kubectl get {resource} printed no JSON", kind="error") from exc
        if not isinstance(data, dict):
            raise KubectlError(f"kubectl get {resource} printed unexpected JSON", kind="error")
        return data

    def get_items(self, resource: str, **kw: Any) -> list[dict[str, Any]]:
        return _items(self.get(resource, **kw))

    def get_many(
        self, resources: list[str], *, namespace: str
    ) -> tuple[list[dict[str, Any]], dict[str, KubectlError]]:
        """Several resource types in one ``kubectl get a,b,c -o json``. kubectl still prints the
        types it could list when others fail; those failures come back by resource. Raises
        :class:`KubectlError` when a failure cannot be tied to one of ``resources``."""
        args = ["get", ",".join(resources), f"--namespace={namespace}", "--output=json"]
        proc = self.run(args)
        errors: dict[str, KubectlError] = {}
        if proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace")
            for line in _noise_free(stderr):
                err = classify(line, args)
                if err.resource not in resources:
                    raise classify(stderr, args)
                errors[err.resource] = err
            if not errors:
                raise classify(stderr, args)
        try:
            data = json.loads(proc.stdout or b"{}")
        except ValueError as exc:
            raise KubectlError("kubectl get printed no JSON", kind="error") from exc
        return _items(data), errors

    def logs_to_file(
        self,
        pod: str,
        *,
        namespace: str,
        container: str,
        dest: Path,
        previous: bool = False,
        since: str | None = None,
        since_time: str | None = None,
    ) -> int:
        """Write the container's whole log with kubelet timestamps to ``dest``; return its size.

        Never kubectl's default tail: ``--tail=-1``. On failure the partial file is kept when it
        has content (the caller records the error) and :class:`KubectlError` is raised.
        """
        args = [
            "logs",
            f"pod/{pod}",
            f"--namespace={namespace}",
            f"--container={container}",
            "--timestamps",
            "--tail=-1",
        ]
        if previous:
            args.append("--previous")
        if since:
            args.append(f"--since={since}")
        if since_time:
            args.append(f"--since-time={since_time}")
        with open(dest, "wb") as fh:
            proc = self.run(args, stdout=fh, timeout=LOG_PROCESS_TIMEOUT, request_timeout=LOG_REQUEST_TIMEOUT)
        size = dest.stat().st_size
        if proc.returncode != 0:
            if size == 0:
                dest.unlink(missing_ok=True)
            raise classify(proc.stderr.decode("utf-8", "replace"), args)
        return size

    def can_i(self, verb: str, resource: str, *, namespace: str, as_user: str | None = None) -> bool:
        """``kubectl auth can-i VERB RESOURCE -n NS [--as USER]``: yes → True, no → False."""
        args = ["auth", "can-i", verb, resource, f"--namespace={namespace}"]
        if as_user:
            args.append(f"--as={as_user}")
        proc = self.run(args)
        answer = proc.stdout.decode("utf-8", "replace").strip().lower()
        if answer.startswith("yes"):
            return True
        if answer.startswith("no"):
            return False
        raise classify(proc.stderr.decode("utf-8", "replace"), args)

    def api_resources(self) -> set[str] | None:
        """Resource names the server serves (``pods``, ``deployments.apps``, ``keycloaks.k8s.keycloak.org``);
        None when discovery failed altogether. A partial answer (one aggregated API down) is used."""
        proc = self.run(["api-resources", "--output=name"])
        names = {ln.strip() for ln in proc.stdout.decode("utf-8", "replace").splitlines() if ln.strip()}
        if not names:
            if proc.returncode != 0:
                raise classify(proc.stderr.decode("utf-8", "replace"), ["api-resources"])
            return None
        return names

    def version(self) -> dict[str, Any]:
        """``kubectl version -o json``: client always, server when reachable (never raises for it)."""
        proc = self.run(["version", "--output=json"], timeout=min(self.process_timeout, 60.0))
        out: dict[str, Any] = {}
        try:
            data = json.loads(proc.stdout or b"{}")
            if isinstance(data, dict):
                out = data
        except ValueError:
            pass
        if not out.get("clientVersion"):
            client = self.run(["version", "--client", "--output=json"], local=True)
            try:
                out.update(json.loads(client.stdout or b"{}"))
            except ValueError:
                pass
        if proc.returncode != 0 and "serverVersion" not in out:
            out["serverError"] = classify(proc.stderr.decode("utf-8", "replace")).message
        return out

    def current_context(self) -> dict[str, Any]:
        """Context name, its namespace and the cluster's server URL from ``config view --minify``.

        Only these three fields are kept: the kubeconfig's credentials never leave kubectl."""
        try:
            proc = self.run(["config", "view", "--minify", "--output=json"], local=True)
        except KubectlError:
            return {}
        if proc.returncode != 0:
            return {}
        try:
            data = json.loads(proc.stdout or b"{}")
        except ValueError:
            return {}
        ctx_name = data.get("current-context") or self.context
        contexts = data.get("contexts") or []
        ctx = next(
            (c.get("context", {}) for c in contexts if c.get("name") == ctx_name),
            contexts[0].get("context", {}) if contexts else {},
        )
        clusters = data.get("clusters") or []
        server = next(
            (c.get("cluster", {}).get("server") for c in clusters if c.get("name") == ctx.get("cluster")),
            None,
        )
        return {"context": ctx_name, "namespace": ctx.get("namespace"), "server": server}
