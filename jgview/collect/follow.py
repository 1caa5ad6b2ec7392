"""``jgview collect -f``: follow every matching pod's log through kubectl, like stern.

A :class:`PodWatcher` lists the pods (``kubectl get pods -l SEL [-n NS | -A] -o json``) every
``poll_interval`` seconds through :class:`~jgview.collect.kube.Kubectl` and reconciles:

* every running container not yet followed gets one ``kubectl logs --follow --timestamps
  --tail=-1 pod/NAME --container=C`` process (an argument list, never a shell) and a reader
  thread that feeds its lines to the live analysis (:class:`jgview.follow.Follower`) as one
  stream;
* a container that restarted (its ``containerID`` changed, or its ``restartCount`` grew) is a new
  container run: the old stream ends and a new one starts, which the analysis takes as a new
  incarnation of the pod;
* a follow that ended while its container still runs (a dropped connection, an API server
  restart) is resumed on the same stream with ``--since-time`` of its last line; the lines
  already seen are skipped;
* a container that stopped, or a pod that was deleted or no longer matches, ends its stream;
* at most ``max_log_requests`` follows run at once; when more containers match, a warning says
  how many are left out, and they are followed as soon as a slot frees.

A kubectl error for one container is reported once, as one line, and the others go on. Every
kubectl process is started in its own session (a Ctrl-C on the terminal reaches jgview only) and
killed by :meth:`PodWatcher.shutdown`. With a bundle directory, each container run's lines are
written to the bundle's log file as they arrive, and :meth:`PodWatcher.write_bundle` adds the
objects and the manifest at the end.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from jgview.collect.kube import (
    HINT_NOT_FOUND,
    MAX_STDERR,
    Kubectl,
    KubectlError,
    KubectlNotFound,
    classify,
)

DEFAULT_POLL_INTERVAL = 5.0
"""Seconds between two listings of the pods (``--poll-interval``)."""
FOLLOW_REQUEST_TIMEOUT = "0"
"""``--request-timeout`` of a followed log: none (a follow lasts as long as the container)."""
KILL_GRACE = 2.0
"""Seconds a follow of a restarted, stopped or deleted container may still deliver its last lines."""
RETRY_MAX = 60.0
"""Longest wait before following a container again after kubectl failed."""
MAX_LINE = 4 << 20
"""Longer lines are cut (the reader's memory is bounded)."""
MAX_PODS_KEPT = 2000
"""Pod objects remembered for the bundle (oldest forgotten first)."""

_TS = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$")
_TRANSIENT = (
    "waiting to start",
    "containercreating",
    "podinitializing",
    "is terminated",
    "container not found",
)
"""kubectl refusals that only mean "not yet" or "not any more": retried, never reported."""


@dataclass
class FollowOptions:
    """What to follow and how."""

    selector: str
    namespace: str | None = None
    """None: kubectl's default (the context's namespace)."""
    all_namespaces: bool = False
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_log_requests: int = 5
    """Concurrent ``kubectl logs --follow`` processes."""
    since: str | None = None
    """``kubectl logs --since`` for the first follow of each container."""
    since_time: str | None = None
    bundle: Path | None = None
    """Write the followed lines (and at the end the manifest) into this bundle directory."""


@dataclass(eq=False)
class _Run:
    """One container run (one Follower stream), followed by one kubectl process at a time."""

    namespace: str
    pod: str
    container: str
    incarnation: str
    """The containerID (``restart:N`` when the status has none)."""
    restarts: int
    order: int
    idx: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    alive: bool = False
    started: int = 0
    """kubectl processes started for this run (1 + resumes)."""
    failures: int = 0
    """Consecutive attempts that ended in an error before any line."""
    next_try: float = 0.0
    lineno: int = 0
    last_ts: bytes | None = None
    skip_until: bytes | None = None
    pending: bytes = b""
    """A last line without its newline, held until it is known whether a resume re-sends it."""
    retired_at: float | None = None
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    file: IO[bytes] | None = None
    relpath: str | None = None
    bytes: int = 0
    error: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.namespace, self.pod, self.container)

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.pod}/{self.container}"


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return _dict(obj.get("metadata"))


def containers_of(pod: dict[str, Any]) -> list[tuple[str, bool, str, int]]:
    """(container, running, incarnation, restartCount) of a pod's containers (init containers
    left out). Incarnation is the pod's uid and the containerID, else ``restart:N``."""
    spec = _dict(pod.get("spec"))
    status = _dict(pod.get("status"))
    finished = status.get("phase") in ("Succeeded", "Failed")
    statuses = {
        str(st.get("name")): st for st in status.get("containerStatuses") or [] if isinstance(st, dict)
    }
    out = []
    for c in spec.get("containers") or []:
        if not isinstance(c, dict) or not c.get("name"):
            continue
        name = str(c["name"])
        st = statuses.get(name, {})
        state = _dict(st.get("state"))
        restarts = _int(st.get("restartCount"))
        # a pod being deleted still runs: its shutdown lines (ISPN000080 …) say it left
        running = "running" in state and not finished
        cid = st.get("containerID")
        uid = _meta(pod).get("uid") or ""
        out.append((name, running, f"{uid}/{cid}" if cid else f"restart:{restarts}", restarts))
    return out


def _restarted(run: _Run, incarnation: str, restarts: int) -> bool:
    """Is the container listed now another run than the one followed? A grown restartCount
    says so, and so does another containerID (an ID appearing or vanishing in the status
    alone does not)."""
    if restarts != run.restarts:
        return True  # grown; or a pod recreated under the same name (a StatefulSet's)
    if not incarnation.startswith("restart:") and not run.incarnation.startswith("restart:"):
        return incarnation != run.incarnation
    if run.incarnation.startswith("restart:"):
        run.incarnation = incarnation
    return False


class _TrackedKubectl(Kubectl):
    """The same driver, with its processes in their own session and killable at shutdown."""

    def __init__(self, base: Kubectl) -> None:
        super().__init__(
            base.binary,
            kubeconfig=base.kubeconfig,
            context=base.context,
            request_timeout=base.request_timeout,
            process_timeout=base.process_timeout,
            env=base.env,
        )
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        self.closed = False

    def run(
        self,
        args: list[str],
        *,
        stdout: Any = None,
        timeout: float | None = None,
        request_timeout: str | None = None,
        local: bool = False,
    ) -> subprocess.CompletedProcess[bytes]:
        argv = [self.binary, *args, *self.global_args(request_timeout, local=local)]
        with self.lock:
            if self.closed:
                raise KubectlError("jgview is stopping", kind="error")
            try:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout if stdout is not None else subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self.env,
                    start_new_session=True,
                )
            except FileNotFoundError as exc:
                raise KubectlNotFound(
                    f"{self.binary} could not be run ({exc.strerror}); {HINT_NOT_FOUND}"
                ) from exc
            except PermissionError as exc:
                raise KubectlNotFound(f"{self.binary} is not executable; {HINT_NOT_FOUND}") from exc
            self.procs.add(proc)
        try:
            out, err = proc.communicate(timeout=timeout or self.process_timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise KubectlError(
                f"kubectl {' '.join(args[:3])} did not finish within {int(timeout or self.process_timeout)} s",
                kind="timeout",
            ) from exc
        finally:
            with self.lock:
                self.procs.discard(proc)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    def kill_all(self) -> None:
        with self.lock:
            self.closed = True
            procs = list(self.procs)
        for p in procs:
            _terminate(p)


def _terminate(proc: subprocess.Popen[bytes], grace: float = 1.0) -> None:
    """End one of our kubectl processes (by its own pid): SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    except OSError:
        pass


class PodWatcher:
    """Lists the pods, follows their containers' logs and feeds a :class:`jgview.follow.Follower`."""

    def __init__(
        self, kube: Kubectl, opts: FollowOptions, *, warn: Callable[[str], None] | None = None
    ) -> None:
        self.kube = _TrackedKubectl(kube)
        self.opts = opts
        self._warn = warn
        self.follower: Any = None
        self.lock = threading.RLock()
        self.current: dict[tuple[str, str, str], _Run] = {}
        self.retired: list[_Run] = []
        self.finished: list[_Run] = []
        """Runs whose stream was closed and that wrote a bundle file (for the manifest)."""
        self.pods: dict[tuple[str, str], dict[str, Any]] = {}
        """The latest object of every pod seen (for the bundle)."""
        self.reported: set[tuple[str, str, str]] = set()
        self.poll_errors: set[str] = set()
        self.failures: list[dict[str, Any]] = []
        self.warned_over = 0
        self.order = 0
        self.used_paths: set[str] = set()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.readers: list[threading.Thread] = []
        self.started_at = datetime.now(timezone.utc)

    # ---- wiring --------------------------------------------------------------------------------

    def warn(self, msg: str) -> None:
        if self._warn is not None:
            self._warn(msg)
        elif self.follower is not None:
            self.follower.on_error(msg)

    def attach(self, follower: Any, pods: list[dict[str, Any]] | None = None) -> None:
        """``setup`` for :func:`jgview.follow.run`: start following ``pods`` (the first listing,
        when the caller already has it) and the poll thread."""
        self.follower = follower
        follower.keep_open()
        if pods is not None:
            self.reconcile(pods)
        self.thread = threading.Thread(
            target=self._poll_loop, args=(pods is None,), daemon=True, name="collect-follow-poll"
        )
        self.thread.start()

    def _stopping(self) -> bool:
        return self.stop.is_set() or (self.follower is not None and self.follower.stop.is_set())

    def _poll_loop(self, poll_first: bool) -> None:
        if not poll_first:
            self._wait(self.opts.poll_interval)
        while not self._stopping():
            pods = self.list_pods()
            if pods is not None and not self._stopping():
                self.reconcile(pods)
            self._wait(self.opts.poll_interval)
        self.shutdown()

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self._stopping():
            left = end - time.monotonic()
            if left <= 0:
                return
            self.stop.wait(min(left, 0.2))

    def list_pods(self) -> list[dict[str, Any]] | None:
        """One listing; None when kubectl failed (reported once per kind of failure)."""
        try:
            pods = self.kube.get_items(
                "pods",
                namespace=None if self.opts.all_namespaces else self.opts.namespace,
                all_namespaces=self.opts.all_namespaces,
                selector=self.opts.selector,
            )
        except (KubectlError, KubectlNotFound) as exc:
            if self._stopping():
                return None
            kind = getattr(exc, "kind", "kubectl-missing")
            if kind not in self.poll_errors:
                self.poll_errors.add(kind)
                self.warn(f"jgview collect: cannot list the pods (will keep trying): {exc}")
            return None
        return pods

    # ---- reconciling ---------------------------------------------------------------------------

    def reconcile(self, pods: list[dict[str, Any]]) -> None:
        """Start, resume, retire and close follows so that every running container is followed."""
        now = time.monotonic()
        with self.lock:
            if self._stopping():
                return
            listed: dict[tuple[str, str, str], tuple[bool, str, int]] = {}
            for pod in pods:
                if not isinstance(pod, dict):
                    continue
                ns, name = str(_meta(pod).get("namespace", "")), str(_meta(pod).get("name", ""))
                if not name:
                    continue
                self.pods.pop((ns, name), None)
                self.pods[(ns, name)] = pod
                for cname, running, inc, restarts in containers_of(pod):
                    listed[(ns, name, cname)] = (running, inc, restarts)
            while len(self.pods) > MAX_PODS_KEPT:
                self.pods.pop(next(iter(self.pods)))

            # runs whose container stopped, restarted, or went away
            for key, run in list(self.current.items()):
                state = listed.get(key)
                if state is None or not state[0]:
                    if not run.alive:
                        self._close(run)
                        del self.current[key]
                    elif run.retired_at is None:
                        run.retired_at = now  # still delivering its last lines, or no longer matching
                    continue
                running, inc, restarts = state
                if _restarted(run, inc, restarts):
                    del self.current[key]
                    run.retired_at = now
                    self.retired.append(run)
                elif run.retired_at is not None:
                    run.retired_at = None  # running again (a status glitch): keep following

            # retired runs: close once their kubectl ended; cut after a grace period
            for run in list(self.retired):
                if not run.alive:
                    self._close(run)
                    self.retired.remove(run)
                elif run.retired_at is not None and now - run.retired_at >= max(
                    KILL_GRACE, self.opts.poll_interval
                ):
                    self._kill(run)
            for key, run in list(self.current.items()):
                if (
                    run.alive
                    and run.retired_at is not None
                    and now - run.retired_at >= max(KILL_GRACE, self.opts.poll_interval)
                ):
                    self._kill(run)

            # new container runs
            for key, (running, inc, restarts) in listed.items():
                if running and key not in self.current:
                    self.order += 1
                    self.current[key] = _Run(*key, incarnation=inc, restarts=restarts, order=self.order)

            # start (or resume) follows, bounded
            busy = sum(1 for r in [*self.current.values(), *self.retired] if r.alive)
            waiting = sorted(
                (
                    r
                    for r in self.current.values()
                    if not r.alive and r.retired_at is None and r.next_try <= now
                ),
                key=lambda r: (r.started > 0, r.order),
            )
            free = max(0, self.opts.max_log_requests - busy)
            for run in waiting[:free]:
                self._start(run)
            left_out = [r for r in self.current.values() if not r.alive and r.started == 0]
            if not left_out:
                self.warned_over = 0
            elif len(left_out) > self.warned_over:
                self.warned_over = len(left_out)
                total = sum(1 for r in self.current.values() if r.alive) + len(left_out)
                self.warn(
                    f'jgview collect: {total} containers match "{self.opts.selector}" but --max-log-requests '
                    f"is {self.opts.max_log_requests}: {len(left_out)} not followed "
                    f"({', '.join(r.pod for r in left_out[:3])}{' …' if len(left_out) > 3 else ''}) until a "
                    f"follow ends; raise --max-log-requests to follow them all"
                )

    # ---- one kubectl logs --follow ----------------------------------------------------------------

    def _name(self, run: _Run) -> str:
        return run.label + (f" (restart {run.restarts})" if run.restarts else "")

    def _open_file(self, run: _Run) -> None:
        from jgview import bundle

        out = self.opts.bundle
        if out is None:
            return
        rel = bundle.log_relpath(run.namespace, run.pod, run.container, False)
        base, n = rel, 2
        while rel in self.used_paths:
            rel = f"{base.removesuffix('.log')}-{n}.log"
            n += 1
        self.used_paths.add(rel)
        path = out / rel
        if not bundle.inside(out, path):
            self._record_failure(run, f"refusing to write outside {out}: {rel}")
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            run.file = open(path, "wb")  # noqa: SIM115 - kept open while following
            run.relpath = rel
        except OSError as exc:
            self._record_failure(run, f"cannot write {rel}: {exc.strerror or exc}")

    def _start(self, run: _Run) -> None:
        args = [
            "logs",
            "--follow",
            "--timestamps",
            "--tail=-1",
            f"pod/{run.pod}",
            f"--namespace={run.namespace}",
            f"--container={run.container}",
        ]
        if run.last_ts is not None:
            args.append(f"--since-time={run.last_ts.decode('ascii', 'replace')}")
        elif self.opts.since:
            args.append(f"--since={self.opts.since}")
        elif self.opts.since_time:
            args.append(f"--since-time={self.opts.since_time}")
        argv = [self.kube.binary, *args, *self.kube.global_args(FOLLOW_REQUEST_TIMEOUT)]
        errfile = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the reader
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errfile,
                env=self.kube.env,
                start_new_session=True,
            )
        except OSError as exc:
            errfile.close()
            run.next_try = time.monotonic() + RETRY_MAX
            if ("kubectl", "", "") not in self.reported:
                self.reported.add(("kubectl", "", ""))
                self.warn(
                    f"jgview collect: {self.kube.binary} could not be run ({exc.strerror or exc}); {HINT_NOT_FOUND}"
                )
            return
        if run.idx is None:
            run.idx = self.follower.add_stream(self._name(run), pod_hint=run.pod, strong=True)
        if run.relpath is None and run.file is None:
            self._open_file(run)
        run.skip_until, run.pending = run.last_ts, b""
        run.proc, run.alive = proc, True
        run.started += 1
        t = threading.Thread(
            target=self._read, args=(run, proc, errfile), daemon=True, name=f"follow:{run.label}"
        )
        self.readers = [r for r in self.readers if r.is_alive()]
        self.readers.append(t)
        t.start()

    def _read(self, run: _Run, proc: subprocess.Popen[bytes], errfile: IO[bytes]) -> None:
        got = 0
        buf = b""
        assert proc.stdout is not None
        try:
            fd = proc.stdout.fileno()
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                if len(buf) > MAX_LINE:  # bounded: an endless line is cut
                    lines.append(buf[:MAX_LINE])
                    buf = b""
                got += self._emit(run, lines)
        except (OSError, ValueError):
            pass
        try:
            rc = proc.wait()
            proc.stdout.close()
        except (OSError, ValueError):
            rc = -1
        stderr = b""
        try:
            size = errfile.seek(0, os.SEEK_END)
            errfile.seek(max(0, size - MAX_STDERR))
            stderr = errfile.read()
        except (OSError, ValueError):
            pass
        finally:
            errfile.close()
        with self.lock:
            run.pending = buf
            run.alive = False
            run.proc = None
            if self._stopping():
                return
            if got:
                # a stream that ended after lines is resumed if its container still runs. A clean
                # end is what a stopping container gives too: wait one more listing, so that the
                # kubelet has reported a restart before a resume could read the next run's log
                run.failures = 0
                run.next_try = time.monotonic() + (self.opts.poll_interval if rc == 0 else 0.0)
                return
            run.failures += 1
            run.next_try = time.monotonic() + min(
                RETRY_MAX, self.opts.poll_interval * 2 ** min(run.failures - 1, 10)
            )
            if rc == 0:
                return
            err = classify(stderr.decode("utf-8", "replace"))
            if err.kind == "not-found" or any(t in err.message.lower() for t in _TRANSIENT):
                return
            if self._record_failure(run, err.message) and run.lineno == 0 and run.idx is not None:
                # a stream that never got a line ends with its error (which also has the analysis
                # redone, so the error is in the summary); a later attempt gets a new stream
                self.follower.close_stream(run.idx)
                run.idx = None

    def _record_failure(self, run: _Run, reason: str) -> bool:
        """Record (and report, once per container) why ``run`` could not be followed; True
        when reported now."""
        run.error = reason
        key = run.key
        if key in self.reported:
            return False
        self.reported.add(key)
        self.failures.append(
            {
                "kind": "logs",
                "what": f"log {run.label} (followed)",
                "reason": reason,
                "namespace": run.namespace,
                "pod": run.pod,
                "container": run.container,
            }
        )
        msg = f"jgview collect: cannot follow the log of {run.label}: {reason}"
        if run.idx is not None:
            # through the follower's queue: one line on stderr, and a problem in the analysis
            self.follower.put_line(run.idx, "error", msg)  # type: ignore[arg-type]
        else:
            self.warn(msg)
        return True

    def _emit(self, run: _Run, lines: list[bytes]) -> int:
        out = []
        for raw in lines:
            ts = raw.split(b" ", 1)[0]
            stamped = _TS.match(ts) is not None
            if run.skip_until is not None:
                if stamped and len(ts) == len(run.skip_until) and ts <= run.skip_until:
                    continue  # seen before the follow was resumed
                run.skip_until = None
            if stamped:
                run.last_ts = ts
            out.append(raw)
        if not out:
            return 0
        with run.lock:
            if run.file is not None:
                try:
                    run.file.write(b"".join(r + b"\n" for r in out))
                    run.file.flush()
                    run.bytes += sum(len(r) + 1 for r in out)
                except (OSError, ValueError) as exc:
                    run.file = None
                    self._record_failure(
                        run, f"cannot write {run.relpath}: {getattr(exc, 'strerror', None) or exc}"
                    )
        for raw in out:
            run.lineno += 1
            self.follower.put_line(run.idx, run.lineno, raw)
        return len(out)

    def _kill(self, run: _Run) -> None:
        proc = run.proc
        if proc is not None:
            threading.Thread(target=_terminate, args=(proc,), daemon=True).start()

    def _close(self, run: _Run) -> None:
        """The container run is over: its last partial line, then the end of its stream."""
        if run.closed:
            return
        run.closed = True
        if run.pending and run.idx is not None:
            self._emit(run, [run.pending])
            run.pending = b""
        with run.lock:
            if run.file is not None:
                try:
                    run.file.close()
                except OSError:
                    pass
                run.file = None
        if run.idx is not None:
            self.follower.close_stream(run.idx)
        if run.relpath is not None:
            self.finished.append(run)  # for the bundle's manifest (its file exists anyway)

    # ---- the end -------------------------------------------------------------------------------

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop polling and kill every kubectl process this watcher started (by pid)."""
        self.stop.set()
        self.kube.kill_all()
        # the poll thread may be stuck handing a line to a follower that no longer reads: do not
        # wait for its lock forever (the dicts are only read here)
        locked = self.lock.acquire(timeout=1.0)
        try:
            runs = [*list(self.current.values()), *list(self.retired)]
        finally:
            if locked:
                self.lock.release()
        procs = [r.proc for r in runs if r.proc is not None]
        for p in procs:
            try:
                p.terminate()
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
        for t in list(self.readers):
            if t is not threading.current_thread():
                t.join(timeout=max(0.1, deadline - time.monotonic()))
        for r in runs:
            if r.lock.acquire(timeout=1.0):
                try:
                    if r.pending and r.file is not None:
                        try:
                            r.file.write(r.pending + b"\n")
                            r.bytes += len(r.pending) + 1
                        except (OSError, ValueError):
                            pass
                    if r.file is not None:
                        try:
                            r.file.close()
                        except OSError:
                            pass
                        r.file = None
                finally:
                    r.lock.release()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=max(0.1, deadline - time.monotonic()))

    def all_runs(self) -> list[_Run]:
        """Every container run followed (for the manifest; after :meth:`shutdown`)."""
        locked = self.lock.acquire(timeout=1.0)
        try:
            seen: dict[int, _Run] = {}
            for r in [*list(self.finished), *list(self.retired), *list(self.current.values())]:
                seen[id(r)] = r
        finally:
            if locked:
                self.lock.release()
        return sorted(seen.values(), key=lambda r: r.order)

    def write_bundle(
        self, base: Kubectl, *, default_namespace: str | None, context: dict[str, Any]
    ) -> dict[str, Any]:
        """Write the objects and ``manifest.json`` of the bundle whose logs were written while
        following; returns the manifest. Call after :meth:`shutdown`."""
        from jgview import bundle

        out = self.opts.bundle
        assert out is not None
        out.mkdir(parents=True, exist_ok=True)
        pods = list(self.pods.values())
        written, objects_info = _write_objects(base, out, pods, self.failures)
        logs = []
        for r in self.all_runs():
            if r.relpath is None:
                continue
            entry: dict[str, Any] = {
                "path": r.relpath,
                "namespace": r.namespace,
                "pod": r.pod,
                "container": r.container,
                "previous": False,
                "bytes": r.bytes,
                "ok": r.error is None or r.bytes > 0,
                "followed": True,
                "restart_count": r.restarts,
                "container_id": r.incarnation.split("/", 1)[-1]
                if not r.incarnation.startswith("restart:")
                else None,
            }
            if r.error:
                entry["error"] = r.error
            logs.append(entry)
        from jgview.collect.gather import _pod_summary, manifest_header

        version = objects_info.get("version") or {}
        manifest: dict[str, Any] = {
            **manifest_header(base.binary, version, context, None if self.opts.all_namespaces else default_namespace,
                              self.opts.all_namespaces, self.opts.selector),
            "namespaces": sorted({ns for ns, _ in self.pods}),
            "since": self.opts.since,
            "since_time": self.opts.since_time,
            "max_log_requests": self.opts.max_log_requests,
            "previous": False,
            "follow": {
                "started": self.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ended": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "poll_interval": self.opts.poll_interval,
            },
            "expect": objects_info.get("expect"),
            "pods": [_pod_summary(p) for p in pods],
            "logs": logs,
            "objects": written,
            "can_i": "objects/can_i.json",
            "absent": sorted(objects_info.get("absent") or []),
            "failures": sorted(self.failures, key=lambda f: (f["kind"], f["what"])),
        }
        (out / bundle.MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        return manifest


def _write_objects(
    kube: Kubectl, out: Path, pods: list[dict[str, Any]], failures: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The cluster objects that explain the pods, fetched and redacted as ``collect`` does."""
    from jgview import bundle
    from jgview.collect import gather
    from jgview.collect.gather import CollectOptions
    from jgview.collect.redact import redact_object
    from jgview.objects import expected_replicas

    col = gather._Collector(kube, out, CollectOptions(selector=""))
    namespaces = sorted({str(_meta(p).get("namespace", "")) for p in pods})
    info: dict[str, Any] = {}
    if pods:
        try:
            served = kube.api_resources()
        except KubectlError as exc:
            col.fail("kubectl", "api-resources", exc.message)
            served = None
        wanted = [r for r in gather.OBJECT_RESOURCES if served is None or r[1] in served]
        col.absent.extend(r[1] for r in gather.OBJECT_RESOURCES if r not in wanted)
        for ns in namespaces:
            if served is None:
                for kind, resource, _ in wanted:
                    col.fetch_objects(kind, resource, ns)
            else:
                col.fetch_namespace_objects(ns, wanted)
        for (ns, sa_ns, sa), names in sorted(gather._kube_ping_targets(pods, col.objects).items()):
            col.check_can_i(ns, sa_ns, sa, names)
        try:
            col.fetch_version()
        except KubectlError as exc:
            col.fail("kubectl", "kubectl version", exc.message)
    objs = col.objects
    objs["pods"] = pods
    gather._filter_related(objs, pods)
    redacted = {k: [redact_object(o) for o in v] for k, v in objs.items()}
    written: dict[str, dict[str, Any]] = {}
    for kind in bundle.OBJECT_KINDS:
        rel = bundle.objects_relpath(kind)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(
            json.dumps(
                {"apiVersion": "v1", "kind": "List", "items": redacted.get(kind, [])},
                indent=1,
                sort_keys=True,
            ),
            encoding="utf-8",
        )
        written[kind] = {"path": rel, "count": len(redacted.get(kind, []))}
    (out / "objects" / "can_i.json").write_text(
        json.dumps(col.can_i, indent=1, sort_keys=True), encoding="utf-8"
    )
    failures.extend(col.failures)
    info["absent"] = col.absent
    info["version"] = col.version
    info["expect"] = expected_replicas(redacted)
    return written, info
