"""Forked worker processes for reading inputs in parallel (Linux), without multiprocessing.

:func:`run` forks the workers once, at the start, while the calling process runs no other thread;
it then hands them tasks by index over pipes, one to each, then the next to whichever worker sends
a result back (before that result is read: the worker goes on meanwhile), so that unequal tasks
still keep every worker busy. A worker sends each result
pickled over its own pipe and ends with ``os._exit`` (no exit handlers, no flushing of buffers it
inherited). A worker that ends without sending a result (killed: out of memory?) is noticed by
the end of its pipe; its tasks are reported as lost, the other workers go on.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: importing multiprocessing costs about
25 ms of a run that takes a few hundred, and its queues add threads and copies to every task.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Iterable
from typing import Any

OK, FAILED, LOST = "ok", "failed", "lost"
"""A task's outcome: its result; an exception in the worker (the caller runs it again itself, where
the exception is handled as any other); the worker ended before sending it."""

_HEADER = struct.Struct("<iQ")
"""A result on a worker's pipe: task index, length of the pickle that follows."""
_TASK = struct.Struct("<i")


def run(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], workers: int,
        while_waiting: Callable[[], None] | None = None) -> list[tuple[str, Any]]:
    """``(outcome, result)`` of every task ``(function, arguments)``, in order, computed by
    ``workers`` forked processes. ``while_waiting`` runs in this process once they are started."""
    workers = max(1, min(workers, len(tasks)))
    results: list[tuple[str, Any] | None] = [None] * len(tasks)
    procs: list[_Worker] = []
    done = False
    try:
        for _ in range(workers):
            procs.append(_Worker.fork(tasks, [p for p in procs]))
        pending = iter(range(len(tasks)))
        for w in procs:  # one task each to begin with
            _give(w, pending)
        if while_waiting is not None:
            while_waiting()
        sel = selectors.DefaultSelector()
        for w in procs:
            sel.register(w.results, selectors.EVENT_READ, w)
        live = len(procs)
        try:
            _serve_results(sel, live, results, pending)
        finally:
            sel.close()
        for i in pending:  # (every worker ended early)
            results[i] = (LOST, None)
        done = True
    finally:
        for w in procs:
            w.close()
            w.reap(kill=not done)
    return [r if r is not None else (LOST, None) for r in results]


def _serve_results(sel: Any, live: int, results: list[Any], pending: Any) -> None:
    """Read results as workers send them, each worker's next task sent first."""
    while live:
        for key, _ in sel.select():
            w = key.data
            head = w.receive_head()
            if head is not None:
                # its next task first: it works on it while its result is read and unpickled here
                _give(w, pending)
            got = w.receive(head) if head is not None else None
            if got is None:  # ended: what it had not sent back is lost
                for i in w.outstanding:
                    results[i] = (LOST, None)
                w.outstanding.clear()
                sel.unregister(w.results)
                w.close()
                live -= 1
                continue
            i, outcome = got
            results[i] = outcome
            w.outstanding.discard(i)
            if not w.outstanding:
                sel.unregister(w.results)
                w.close()
                live -= 1


def _give(w: _Worker, pending: Iterable[int]) -> None:
    i = next(iter(pending), None)  # type: ignore[call-overload]
    if i is None:
        w.finish()
        return
    try:
        os.write(w.tasks, _TASK.pack(i))
        w.outstanding.add(i)
    except OSError:  # it has ended: noticed by its result pipe
        w.outstanding.add(i)


class _Worker:
    def __init__(self, pid: int, tasks_fd: int, results_fd: int) -> None:
        self.pid = pid
        self.tasks = tasks_fd
        self.results = results_fd
        self.outstanding: set[int] = set()
        self.reaped = False
        self.finished = False

    @classmethod
    def fork(cls, tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], siblings: list[_Worker]) -> _Worker:
        task_r, task_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                os.close(task_w)
                os.close(res_r)
                for s in siblings:  # their pipes are not this worker's: let their ends close
                    for fd in (s.tasks, s.results):
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the main process speaks
                _serve(tasks, task_r, res_w)
            except BaseException:  # noqa: BLE001 - nothing may escape a forked child
                code = 1
            finally:
                os._exit(code)
        os.close(task_r)
        os.close(res_w)
        return cls(pid, task_w, res_r)

    def receive_head(self) -> tuple[int, int] | None:
        """The index and length of the result the worker is sending (None: it has ended)."""
        head = _read_exact(self.results, _HEADER.size)
        return None if head is None else _HEADER.unpack(head)  # type: ignore[return-value]

    def receive(self, head: tuple[int, int]) -> tuple[int, tuple[str, Any]] | None:
        i, n = head
        body = _read_exact(self.results, n)
        if body is None:
            return None
        try:
            return i, pickle.loads(body)
        except Exception:  # noqa: BLE001 - a result that cannot be read back: run it again here
            return i, (FAILED, None)

    def finish(self) -> None:
        """No more tasks: the worker ends once it has sent what it has."""
        if not self.finished:
            self.finished = True
            try:
                os.close(self.tasks)
            except OSError:
                pass

    def close(self) -> None:
        self.finish()
        try:
            os.close(self.results)
        except OSError:
            pass

    def reap(self, kill: bool) -> None:
        """Wait for the worker to end (it does once its task pipe is closed); ``kill``: this
        process is leaving early (an error, Ctrl-C), the worker is stopped first."""
        if self.reaped:
            return
        self.reaped = True
        try:
            if kill:
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError, OSError):
            pass


def _serve(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], task_fd: int, result_fd: int) -> None:
    while True:
        head = _read_exact(task_fd, _TASK.size)
        if head is None:
            return
        (i,) = _TASK.unpack(head)
        fn, args = tasks[i]
        try:
            outcome: tuple[str, Any] = (OK, fn(*args))
            body = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - the main process runs it again and handles the error
            body = pickle.dumps((FAILED, None), protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(result_fd, _HEADER.pack(i, len(body)) + body)


def _read_exact(fd: int, n: int) -> bytes | None:
    parts: list[bytes] = []
    while n > 0:
        try:
            chunk = os.read(fd, min(n, 1 << 20))
        except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
            continue
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
