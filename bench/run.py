#!/usr/bin/env python3
"""Time jgview against grep on the same logs, alternating, and check its answer.

    python bench/run.py bench/out/kc-1g                # a generated directory (its truth.json files)
    python bench/run.py bench/out/kc-1g/*.log --rounds 5 --cores 1
    python bench/run.py bench/out/gz/pods.log.gz --json > result.json

Each round runs ``jgview --json FILE...`` and ``LC_ALL=C grep -cE PATTERN FILE...`` (for
``.gz`` input ``zcat -f FILE... | LC_ALL=C grep -cE PATTERN``), in alternating order, after one
untimed warm-up of each (page cache). It prints the medians, the ratio jgview/grep, jgview's peak
memory, startup times (``jgview --help`` and a tiny log, median of 10, beside the time its Python
takes to import typer, rich and regex alone) and whether jgview's verdict
and clusters equal the generator's ``truth.json`` found next to the files, and grep's count its
``membership_lines``. ``--cores 1`` pins every child (jgview, grep, zcat) to one CPU with
``os.sched_setaffinity``. No shell is used anywhere: commands are argument lists.

Bytecode: every jgview child (timed runs, memory rounds, ``--scaling``, startup runs) gets
``os.environ`` without ``PYTHONDONTWRITEBYTECODE``, and one untimed ``jgview --help`` and
tiny-log run come before anything is timed, so the runs use cached bytecode
(``__pycache__/*.pyc``), as a user's second run does, not a recompilation of every module
(~50 ms) on every run.

Timed runs are not sampled. Reading ``/proc/PID/smaps_rollup`` of every process of jgview's tree
every 20 ms costs CPU in this script, and on a two-core machine that CPU is taken from jgview's
worker processes (measured: jgview's median ~0.77 s sampled, ~0.67 s unsampled, same files). So
the timed rounds only run under ``/usr/bin/time -f %M`` (peak RSS, measured by the kernel at no
cost), and the tree numbers come from ``--memory-rounds N`` (default 2) *untimed* jgview runs
after the timed rounds, with the sampler on. ``--memory-rounds 0`` skips them: the tree numbers
are then absent (None) and the memory target falls back to peak RSS.

Memory, three numbers for jgview:

- ``rss`` (*peak RSS*): the child's ``ru_maxrss``, the high-water mark of the largest single
  process of its tree, read through ``/usr/bin/time -f %M`` when present (``os.wait4`` on a
  child of this script would report at least this script's own RSS: the kernel keeps the
  pre-exec high-water mark). The largest over the timed runs and the memory rounds.
- ``rss_tree`` (*RSS tree*): the largest sum of RSS (``/proc/PID/statm``) over the child and all
  its descendants, sampled every 20 ms during the memory rounds. Forked workers share most
  pages copy-on-write with their parent, and RSS counts a shared page in full in every process
  mapping it, so this sum counts those pages several times: an upper bound (a main process and
  two workers at ~55 MB each show as ~135 MB even when they share most of it).
- ``pss_tree`` (*PSS tree*): the largest sum of PSS, proportional set size (``Pss:`` of
  ``/proc/PID/smaps_rollup``, or the sum of ``smaps``' ``Pss:`` lines on kernels without it),
  sampled in the same loop. PSS divides each shared page among the processes sharing it, so
  the sum over the tree counts every page once: the tree's real footprint. The target "peak
  memory ≤ 100 MB" is checked against it (against RSS tree, then rss, when PSS is unreadable
  or there were no memory rounds).

Both tree numbers are the largest of samples taken every 20 ms (a shorter peak can be missed)
and include ``/usr/bin/time`` itself (~2 MB RSS, less PSS).

Scaling (``--scaling``): jgview splits one big plain file into spans read by several worker
processes, so jgview on one file alone already uses every core, and "two files / one file" (both
with the default workers) no longer says whether the work spreads over cores. Each round
therefore also times the first file alone with ``JGVIEW_WORKERS=1`` (one process), the first
file alone with the default workers, and the first two files with the default workers. The
target "two files on a two-core machine in about the time of one" is checked as
*two files (default workers) / first file on one worker*: about 1 when the second file's work
went to the other core. ``two/one`` (both default workers) is still reported, as information.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import GREP_PATTERN  # noqa: E402  (bench/ is not a package)

PAGE = os.sysconf("SC_PAGE_SIZE")
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
_HAVE_CHILDREN = os.path.exists(f"/proc/self/task/{os.getpid()}/children")
"""``/proc/PID/task/TID/children`` exists (CONFIG_PROC_CHILDREN): the tree is found without a /proc scan."""

TARGETS = {
    "ratio_2_cores": 1.0,
    "ratio_1_core": 1.5,
    "ratio_gzip": 1.2,
    "rss_mb": 100.0,
    "startup_s": 0.150,
    "two_files_ratio": 1.15,
}
"""The issue's targets (``two_files_ratio``: "two files analyzed in about the time of one", checked as
the median of jgview on two files over the median of jgview on the first file with ``JGVIEW_WORKERS=1``)."""

TINY_LOG = (
    "2024-05-01 06:00:05,066 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000078: Starting JGroups channel `ISPN` with stack `jdbc-ping`\n"
    "2024-05-01 06:00:07,069 INFO  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) keycloak-0-8805: no members discovered after 2002 ms: creating cluster as coordinator\n"
    "2024-05-01 06:00:07,071 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-8805|0] (1) [keycloak-0-8805]\n"
    "2024-05-01 06:00:07,072 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) ISPN000079: Channel `ISPN` local address is `keycloak-0-8805`, physical addresses are `[10.128.2.10:7800]`\n"
)


# ------------------------------------------------------------------------------------------
# running one command (or pipeline) and measuring it


@dataclass
class Run:
    wall: float
    rc: int
    """Exit code of the last command of the pipeline (negative: killed by that signal)."""
    rss_kb: int
    """Largest ``ru_maxrss`` among the pipeline's processes (from ``os.wait4``)."""
    rss_tree_kb: int = 0
    """Largest sampled sum of RSS over the process tree (0 when not sampled)."""
    pss_tree_kb: int | None = None
    """Largest sampled sum of PSS over the process tree (None when not sampled or unreadable)."""
    stdout: bytes = b""
    stderr: bytes = b""
    timed_out: bool = False


def read_pss_kb(pid: int, proc: str = "/proc") -> int | None:
    """PSS of one process in kB: ``Pss:`` of ``smaps_rollup`` (Linux ≥ 4.14), else the sum of the
    ``Pss:`` lines of ``smaps``; None when neither can be read (gone, no permission, no such file)."""
    base = f"{proc}/{pid}"
    try:
        with open(f"{base}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
        return None  # a rollup without a Pss line: nothing to trust
    except FileNotFoundError:
        pass
    except (OSError, IndexError, ValueError):
        return None
    try:
        total = 0
        found = False
        with open(f"{base}/smaps", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    total += int(line.split()[1])
                    found = True
        return total if found else None
    except (OSError, IndexError, ValueError):
        return None


class _TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of some processes and all their descendants from /proc."""

    def __init__(self, roots: list[int], interval: float = 0.02):
        super().__init__(daemon=True)
        self.roots = set(roots)
        self.interval = interval
        self.peak_kb = 0
        """Largest sum of RSS seen (kB)."""
        self.peak_pss_kb: int | None = None
        """Largest sum of PSS seen (kB); None while no process's PSS could be read."""
        self.stop = threading.Event()

    def _tree(self) -> set[int]:
        """The roots and all their descendants: through ``/proc/PID/task/TID/children`` (a few
        small reads per process of the tree), else by reading every process's ppid."""
        if _HAVE_CHILDREN:
            tree: set[int] = set()
            todo = list(self.roots)
            while todo:
                pid = todo.pop()
                if pid in tree:
                    continue
                tree.add(pid)
                try:
                    tids = os.listdir(f"/proc/{pid}/task")
                except OSError:
                    continue
                for tid in tids:  # a child belongs to the thread that forked it
                    try:
                        with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                            todo += [int(c) for c in f.read().split()]
                    except (OSError, ValueError):
                        pass
            return tree
        parent: dict[int, int] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            rest = stat[stat.rfind(b")") + 2:].split()
            if len(rest) > 1:
                parent[int(name)] = int(rest[1])
        tree = set(self.roots)
        changed = True
        while changed:
            changed = False
            for pid, ppid in parent.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    changed = True
        return tree

    def _sample(self) -> tuple[int, int | None]:
        """(sum of RSS, sum of PSS or None if no PSS was readable) over the tree, in kB."""
        tree = self._tree()
        total = 0
        pss_total: int | None = None
        for pid in tree:
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * PAGE
            except (OSError, IndexError, ValueError):
                continue  # gone: count it in neither sum
            pss = read_pss_kb(pid)
            if pss is not None:
                pss_total = (pss_total or 0) + pss
        return total // 1024, pss_total

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                rss, pss = self._sample()
                self.peak_kb = max(self.peak_kb, rss)
                if pss is not None:
                    self.peak_pss_kb = max(self.peak_pss_kb or 0, pss)
            except Exception:  # noqa: BLE001 - a sampler must never break a measurement
                pass
            self.stop.wait(self.interval)


def _pin(cores: int | None):
    if not cores:
        return None
    cpus = sorted(os.sched_getaffinity(0))[:cores]

    def preexec() -> None:
        os.sched_setaffinity(0, cpus)

    return preexec


def run_pipeline(cmds: list[list[str]], *, env: dict[str, str] | None = None, cores: int | None = None,
                 sample_tree: bool = False, measure_rss: bool = False, timeout: float = 1800.0) -> Run:
    """Run ``cmds[0] | cmds[1] | …`` without a shell; time it and collect each child's peak RSS.

    ``os.wait4``'s ``ru_maxrss`` of an exec'd child is at least the RSS of the process that
    forked it (the kernel keeps the pre-exec high-water mark), i.e. of this Python script; with
    ``measure_rss`` each command runs under ``/usr/bin/time -f %M`` (a small C launcher) when it
    exists, whose own wait4 reading is exact to ~1 MB. Without it, wait4's value is kept."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    procs: list[subprocess.Popen] = []
    rss_files: list[str] = []
    timer_bin = TIME_BIN if measure_rss else None
    t0 = time.perf_counter()
    try:
        prev = None
        for i, cmd in enumerate(cmds):
            last = i == len(cmds) - 1
            if timer_bin:
                fd, path = tempfile.mkstemp(prefix="jgview-bench-rss-")
                os.close(fd)
                rss_files.append(path)
                cmd = [timer_bin, "-f", "%M", "-o", path, *cmd]
            p = subprocess.Popen(cmd, stdin=prev.stdout if prev else subprocess.DEVNULL,
                                 stdout=out if last else subprocess.PIPE, stderr=err, env=env,
                                 preexec_fn=_pin(cores), start_new_session=True)
            if prev is not None and prev.stdout is not None:
                prev.stdout.close()  # the next process owns the pipe now (SIGPIPE works)
            procs.append(p)
            prev = p
    except OSError:
        for p in procs:
            _kill(p)
        raise
    sampler = _TreeSampler([p.pid for p in procs]) if sample_tree else None
    if sampler:
        sampler.start()
    timed_out = False

    def on_timeout() -> None:
        nonlocal timed_out
        timed_out = True
        for p in procs:
            _kill(p)

    timer = threading.Timer(timeout, on_timeout)
    timer.daemon = True
    timer.start()
    rss = 0
    rc = 0
    try:
        for p in procs:
            _pid, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            rss = max(rss, usage.ru_maxrss)
            rc = p.returncode
        wall = time.perf_counter() - t0
    finally:
        timer.cancel()
        if sampler:
            sampler.stop.set()
            sampler.join()
    if rss_files:
        rss = max([_read_time_rss(f) for f in rss_files] + [0]) or rss
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read()
    out.close()
    err.close()
    return Run(wall=wall, rc=rc, rss_kb=rss, rss_tree_kb=sampler.peak_kb if sampler else 0,
               pss_tree_kb=sampler.peak_pss_kb if sampler else None,
               stdout=stdout, stderr=stderr, timed_out=timed_out)


def _read_time_rss(path: str) -> int:
    """Max RSS (KB) that ``/usr/bin/time -f %M -o path`` wrote (its last numeric line); 0 if none."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
    except OSError:
        return 0
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
    for ln in reversed(lines):
        if ln.isdigit():
            return int(ln)
    return 0


def _kill(p: subprocess.Popen) -> None:
    """Kill a child this script started (its own session, so its workers go too)."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ------------------------------------------------------------------------------------------
# commands


def default_jgview_cmd() -> list[str]:
    """``jgview --json``: the console script next to this Python, on PATH, or ``python -m jgview``."""
    beside = os.path.join(os.path.dirname(sys.executable), "jgview")
    if os.access(beside, os.X_OK):
        return [beside, "--json"]
    found = shutil.which("jgview")
    if found:
        return [found, "--json"]
    return [sys.executable, "-m", "jgview", "--json"]


JGVIEW_ENV_DROP = ("PYTHONDONTWRITEBYTECODE",)
"""Variables removed from jgview's environment: with them every run would recompile its modules."""


def jgview_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every jgview child: ``os.environ`` (or ``base``) without
    ``PYTHONDONTWRITEBYTECODE``, so Python reads and writes ``__pycache__`` as on a user's machine."""
    env = dict(os.environ if base is None else base)
    for k in JGVIEW_ENV_DROP:
        env.pop(k, None)
    return env


def grep_cmds(files: list[str]) -> list[list[str]]:
    """The baseline: grep over the files, through ``zcat -f`` when any is gzip."""
    grep = shutil.which("grep") or "grep"
    if any(_is_gzip(f) for f in files):
        zcat = shutil.which("zcat") or "zcat"
        return [[zcat, "-f", "--", *files], [grep, "-cE", GREP_PATTERN]]
    return [[grep, "-cE", GREP_PATTERN, "--", *files]]


def grep_count(stdout: bytes, n_files: int, piped: bool) -> int | None:
    """Sum of grep -c's output (``N`` or ``FILE:N`` lines)."""
    total = 0
    try:
        for line in stdout.decode("utf-8", "replace").splitlines():
            total += int(line.rsplit(":", 1)[-1]) if (n_files > 1 and not piped) else int(line)
    except ValueError:
        return None
    return total


def _is_gzip(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"\x1f\x8b"
    except OSError:
        return False


# ------------------------------------------------------------------------------------------
# inputs and truth


def expand_inputs(args: list[str]) -> tuple[list[str], dict[str, Any] | None, str]:
    """Files to read, the truth that applies to exactly these files (or None), and why not."""
    files: list[str] = []
    for a in args:
        tp = os.path.join(a, "truth.json")
        if os.path.isdir(a) and os.path.isfile(tp):
            with open(tp, encoding="utf-8") as f:
                files += [os.path.join(a, n) for n in json.load(f).get("files", [])]
        elif os.path.isdir(a):
            raise SystemExit(f"run: {a} is a directory without truth.json; name the files")
        else:
            files.append(a)
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise SystemExit(f"run: no such file: {missing[0]}")
    dirs = {os.path.dirname(os.path.abspath(f)) for f in files}
    if len(dirs) != 1:
        return files, None, "files from several directories"
    tp = os.path.join(dirs.pop(), "truth.json")
    if not os.path.isfile(tp):
        return files, None, "no truth.json next to the files"
    with open(tp, encoding="utf-8") as f:
        truth = json.load(f)
    names = sorted(os.path.basename(f) for f in files)
    if names != sorted(truth.get("files", [])):
        return files, None, "the files are a subset of what truth.json describes"
    return files, truth, ""


def jgview_answer(stdout: bytes) -> tuple[str | None, list[list[str]] | None, str]:
    """(verdict, sorted clusters, error) from ``jgview --json`` output."""
    try:
        doc = json.loads(stdout)
    except ValueError as exc:
        return None, None, f"jgview --json did not print JSON ({exc})"
    clusters = sorted(sorted(c.get("members", [])) for ch in doc.get("channels", []) for c in ch.get("clusters", []))
    return doc.get("verdict"), clusters, ""


def compare(truth: dict[str, Any] | None, why: str, stdout: bytes, grep_n: int | None) -> dict[str, Any]:
    verdict, clusters, error = jgview_answer(stdout)
    res: dict[str, Any] = {"verdict": verdict, "clusters": clusters, "error": error or None}
    if truth is None:
        res.update(verdict_ok=None, clusters_ok=None, grep_ok=None, why_not_checked=why)
        return res
    res.update(
        truth_verdict=truth["verdict"], truth_clusters=truth["clusters"],
        verdict_ok=verdict == truth["verdict"], clusters_ok=clusters == truth["clusters"],
        grep_ok=grep_n == truth.get("membership_lines"), truth_membership_lines=truth.get("membership_lines"),
    )
    return res


# ------------------------------------------------------------------------------------------
# main


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def measure(files: list[str], jg_cmd: list[str], rounds: int, cores: int | None, timeout: float,
            scaling: bool, startup_runs: int, log=print, memory_rounds: int = 2) -> dict[str, Any]:
    """Warm-ups, ``rounds`` timed rounds (jgview unsampled, grep), the ``--scaling`` runs of each
    round, then ``memory_rounds`` untimed jgview runs with the tree sampler, then the startup runs."""
    grep_env = dict(os.environ, LC_ALL="C")
    gcmds = grep_cmds(files)
    piped = len(gcmds) > 1
    jg_full = [*jg_cmd, *files]
    res: dict[str, Any] = {"files": files, "cores": cores or len(os.sched_getaffinity(0)), "rounds": rounds,
                           "memory_rounds": memory_rounds, "jgview_cmd": jg_full, "grep_cmds": gcmds,
                           "gzip": piped, "input_bytes": sum(os.path.getsize(f) for f in files)}
    jg_env = jgview_env()
    one_worker_env = dict(jg_env, JGVIEW_WORKERS="1")
    res["jgview_env_removed"] = [k for k in JGVIEW_ENV_DROP if k in os.environ]
    res["jgview_workers_env"] = os.environ.get("JGVIEW_WORKERS")
    if res["jgview_workers_env"] is not None:
        log(f"note: JGVIEW_WORKERS={res['jgview_workers_env']} is set: the 'default workers' runs use it")
    res["loadavg_before"] = list(os.getloadavg())
    log("warm-up: jgview --help and jgview on a tiny log (writes the bytecode cache)")
    warm_up_bytecode(jg_cmd, cores, timeout, jg_env)
    log(f"warm-up: grep ({len(files)} file(s), {res['input_bytes'] / (1 << 20):.1f} MiB on disk)")
    warm_g = run_pipeline(gcmds, env=grep_env, cores=cores, timeout=timeout)
    jg_t: list[float] = []
    gr_t: list[float] = []
    one_t: list[float] = []
    one_w_t: list[float] = []
    two_t: list[float] = []
    jg_runs: list[Run] = []
    gr_runs: list[Run] = []
    for r in range(rounds):
        order = ("jgview", "grep") if r % 2 == 0 else ("grep", "jgview")
        for what in order:
            if what == "jgview":
                # not sampled: a sampler thread here takes CPU from jgview's workers (see the docstring)
                run = run_pipeline([jg_full], env=jg_env, cores=cores, timeout=timeout, sample_tree=False,
                                   measure_rss=True)
                jg_runs.append(run)
                jg_t.append(run.wall)
            else:
                run = run_pipeline(gcmds, env=grep_env, cores=cores, timeout=timeout, measure_rss=True)
                gr_runs.append(run)
                gr_t.append(run.wall)
            log(f"round {r + 1}/{rounds}: {what:6} {run.wall:8.3f} s  rc={run.rc}"
                + (f"  rss={run.rss_kb / 1024:.1f} MB" if what == "jgview" else "")
                + ("  TIMEOUT" if run.timed_out else ""))
            if run.timed_out:
                break
        if scaling and not any(x.timed_out for x in jg_runs + gr_runs):
            first = os.path.basename(files[0])
            run = run_pipeline([[*jg_cmd, files[0]]], env=one_worker_env, cores=cores, timeout=timeout)
            one_w_t.append(run.wall)
            log(f"round {r + 1}/{rounds}: jgview on {first} alone, JGVIEW_WORKERS=1 {run.wall:8.3f} s")
            if len(files) > 1:
                run = run_pipeline([[*jg_cmd, files[0]]], env=jg_env, cores=cores, timeout=timeout)
                one_t.append(run.wall)
                log(f"round {r + 1}/{rounds}: jgview on {first} alone {run.wall:8.3f} s")
                run = run_pipeline([[*jg_cmd, *files[:2]]], env=jg_env, cores=cores, timeout=timeout)
                two_t.append(run.wall)
                log(f"round {r + 1}/{rounds}: jgview on the first two files {run.wall:8.3f} s")
        if any(x.timed_out for x in jg_runs + gr_runs):
            break
    mem_runs: list[Run] = []
    if not any(x.timed_out for x in jg_runs + gr_runs):
        for k in range(memory_rounds):
            # untimed: the tree sampler runs here, and only here
            run = run_pipeline([jg_full], env=jg_env, cores=cores, timeout=timeout, sample_tree=True,
                               measure_rss=True)
            mem_runs.append(run)
            log(f"memory round {k + 1}/{memory_rounds}: jgview {run.wall:8.3f} s (untimed)  rc={run.rc}"
                f"  rss={run.rss_kb / 1024:.1f} MB rss-tree={run.rss_tree_kb / 1024:.1f} MB"
                f" pss-tree={_mb(run.pss_tree_kb)}" + ("  TIMEOUT" if run.timed_out else ""))
            if run.timed_out:
                break
    last = jg_runs[-1]
    res["jgview"] = {"median_s": _median(jg_t), "times_s": jg_t, "min_s": min(jg_t), "max_s": max(jg_t),
                     "rc": last.rc, "rss_mb": max(x.rss_kb for x in jg_runs + mem_runs) / 1024,
                     "rss_tree_mb": max(x.rss_tree_kb for x in mem_runs) / 1024 if mem_runs else None,
                     "pss_tree_mb": _peak_mb([x.pss_tree_kb for x in mem_runs]),
                     "memory_runs": [{"wall_s": x.wall, "rc": x.rc, "rss_mb": x.rss_kb / 1024,
                                      "rss_tree_mb": x.rss_tree_kb / 1024,
                                      "pss_tree_mb": None if x.pss_tree_kb is None else x.pss_tree_kb / 1024,
                                      "timed_out": x.timed_out} for x in mem_runs],
                     "timed_out": any(x.timed_out for x in jg_runs),
                     "stderr": last.stderr.decode("utf-8", "replace")[-2000:]}
    gn = grep_count(gr_runs[-1].stdout if gr_runs else warm_g.stdout, len(files), piped)
    res["grep"] = {"median_s": _median(gr_t), "times_s": gr_t, "min_s": min(gr_t) if gr_t else None,
                   "max_s": max(gr_t) if gr_t else None, "count": gn,
                   "rss_mb": max((x.rss_kb for x in gr_runs), default=0) / 1024}
    if res["jgview"]["median_s"] and res["grep"]["median_s"]:
        res["ratio"] = res["jgview"]["median_s"] / res["grep"]["median_s"]
    if one_w_t:
        # first file, default workers, over first file, one worker: what splitting the file gains
        default_one = _median(one_t) if one_t else (res["jgview"]["median_s"] if len(files) == 1 else None)
        res["one_file_one_worker"] = {"file": files[0], "median_s": _median(one_w_t), "times_s": one_w_t,
                                      "ratio_default_to_one_worker":
                                          default_one / _median(one_w_t) if default_one else None}
    if one_t:
        res["one_file"] = {"file": files[0], "median_s": _median(one_t), "times_s": one_t,
                           "ratio_all_to_one": res["jgview"]["median_s"] / _median(one_t)}
    if two_t:
        res["two_files"] = {"files": files[:2], "median_s": _median(two_t), "times_s": two_t,
                            "ratio_two_to_one": _median(two_t) / _median(one_t),
                            "ratio_two_to_one_worker": _median(two_t) / _median(one_w_t)}
    res["loadavg_after"] = list(os.getloadavg())
    res["_last_stdout"] = last.stdout
    res["mb_per_s"] = {k: (res["input_bytes"] / (1 << 20)) / res[k]["median_s"]
                       for k in ("jgview", "grep") if res[k]["median_s"]}
    if startup_runs:
        res["startup"] = measure_startup(jg_cmd, cores, startup_runs, timeout, jg_env)
    return res


def _mb(kb: int | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:.1f} MB"


def _peak_mb(kbs: list[int | None]) -> float | None:
    """Largest of the readings in MB; None when none was read."""
    got = [k for k in kbs if k is not None]
    return max(got) / 1024 if got else None


def _write_tiny(d: str) -> str:
    tiny = os.path.join(d, "keycloak-0.log")
    with open(tiny, "w", encoding="utf-8") as f:
        f.write(TINY_LOG)
    return tiny


def warm_up_bytecode(jg_cmd: list[str], cores: int | None, timeout: float, env: dict[str, str]) -> None:
    """One untimed ``jgview --help`` and one tiny-log run, so that the ``.pyc`` files exist."""
    base = [a for a in jg_cmd if a != "--json"]
    with tempfile.TemporaryDirectory(prefix="jgview-bench-") as d:
        tiny = _write_tiny(d)
        run_pipeline([[*base, "--help"]], env=env, cores=cores, timeout=timeout)
        run_pipeline([[*jg_cmd, tiny]], env=env, cores=cores, timeout=timeout)


LIBRARIES = "import typer, rich.console, rich.table, regex"
"""What the startup target's premise names ("typer, rich and regex alone take about 90 ms"),
imported by jgview's own Python in the same runs: the floor under which no start-up can go."""


def jgview_python(jg_cmd: list[str]) -> str | None:
    """The Python that runs ``jg_cmd``: ``python -m jgview``'s, or a console script's ``#!`` line
    (None when neither says)."""
    if len(jg_cmd) >= 3 and jg_cmd[1:3] == ["-m", "jgview"]:
        return jg_cmd[0]
    try:
        with open(jg_cmd[0], "rb") as f:
            first = f.readline(4096)
    except OSError:
        return None
    if first.startswith(b"#!"):
        exe = first[2:].strip().split(b" ")[0].decode("utf-8", "replace")
        return exe if os.path.isabs(exe) and os.access(exe, os.X_OK) else None
    return None


def measure_startup(jg_cmd: list[str], cores: int | None, n: int, timeout: float,
                    env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median of n runs each, interleaved: ``jgview --help``, ``jgview --json tiny.log``, the tiny
    log with the default (terminal) output when ``jg_cmd`` asks for JSON, and jgview's Python
    importing :data:`LIBRARIES` and nothing else (``env``: default ``jgview_env()``)."""
    env = jgview_env() if env is None else env
    base = [a for a in jg_cmd if a != "--json"]
    python = jgview_python(jg_cmd)
    with tempfile.TemporaryDirectory(prefix="jgview-bench-") as d:
        tiny = _write_tiny(d)
        helps, tinys, terms, libs, rcs = [], [], [], [], []
        for _ in range(n):
            helps.append(run_pipeline([[*base, "--help"]], env=env, cores=cores, timeout=timeout).wall)
            r = run_pipeline([[*jg_cmd, tiny]], env=env, cores=cores, timeout=timeout)
            tinys.append(r.wall)
            rcs.append(r.rc)
            if base != jg_cmd:
                terms.append(run_pipeline([[*base, tiny]], env=env, cores=cores, timeout=timeout).wall)
            if python:
                libs.append(run_pipeline([[python, "-c", LIBRARIES]], env=env, cores=cores, timeout=timeout).wall)
        verdict, _cl, _err = jgview_answer(r.stdout)
    return {"help_median_s": _median(helps), "help_times_s": helps, "tiny_median_s": _median(tinys),
            "tiny_times_s": tinys, "tiny_rc": rcs[-1], "tiny_verdict": verdict,
            "tiny_terminal_median_s": _median(terms) if terms else None, "tiny_terminal_times_s": terms,
            "libraries_median_s": _median(libs) if libs else None, "libraries_times_s": libs}


def peak_memory(j: dict[str, Any]) -> tuple[str, float | None, float, None]:
    """The memory target's line: PSS over the tree, else RSS over the tree, else ``ru_maxrss``."""
    if j.get("pss_tree_mb"):
        return ("peak memory, MB (PSS, process tree)", j["pss_tree_mb"], TARGETS["rss_mb"], None)
    if j.get("rss_tree_mb"):
        return ("peak memory, MB (RSS, process tree)", j["rss_tree_mb"], TARGETS["rss_mb"], None)
    return ("peak RSS, MB (largest process)", j.get("rss_mb"), TARGETS["rss_mb"], None)


def targets(res: dict[str, Any]) -> list[tuple[str, float | None, float, bool | None]]:
    """(name, measured, limit, met) for the issue's targets this run can speak to."""
    out: list[tuple[str, float | None, float, bool | None]] = []
    ratio = res.get("ratio")
    if res["gzip"]:
        out.append(("jgview/(zcat|grep) on gzip", ratio, TARGETS["ratio_gzip"], None))
    elif res["cores"] == 1:
        out.append(("jgview/grep on 1 core", ratio, TARGETS["ratio_1_core"], None))
    else:
        out.append((f"jgview/grep on {res['cores']} cores", ratio, TARGETS["ratio_2_cores"], None))
    out.append(peak_memory(res["jgview"]))
    if "two_files" in res and "one_file_one_worker" in res:
        # two files with the default workers over the first file with JGVIEW_WORKERS=1: one big file
        # is itself split over the cores, so two files / one file (both default) says nothing of that
        out.append((f"2 files ({_cores(res['cores'])}) / 1 file (1 worker)",
                    res["two_files"]["ratio_two_to_one_worker"], TARGETS["two_files_ratio"], None))
    if "startup" in res:
        out.append(("startup: jgview --help, s", res["startup"]["help_median_s"], TARGETS["startup_s"], None))
        out.append(("startup: tiny log, s", res["startup"]["tiny_median_s"], TARGETS["startup_s"], None))
        if res["startup"].get("tiny_terminal_median_s") is not None:
            out.append(("startup: tiny log, terminal output, s", res["startup"]["tiny_terminal_median_s"],
                        TARGETS["startup_s"], None))
    return [(n, v, lim, (v <= lim) if v is not None else None) for n, v, lim, _ in out]


def _cores(n: int) -> str:
    return "1 core" if n == 1 else f"{n} cores"


def _ok(v: bool | None) -> str:
    return "n/a" if v is None else ("OK" if v else "MISMATCH")


def print_table(res: dict[str, Any], out=sys.stdout) -> None:
    w = out.write
    j, g = res["jgview"], res["grep"]
    kind = "gzip" if res["gzip"] else "plain"
    truth = res.get("truth") or {}
    size = truth.get("bytes")
    w(f"\njgview benchmark: {len(res['files'])} file(s), {res['input_bytes'] / (1 << 20):.1f} MiB on disk ({kind})"
      + (f", {size / (1 << 20):.1f} MiB of log text" if size else "")
      + f", {res['cores']} core(s), {len(j['times_s'])} round(s)\n")
    la = res.get("loadavg_before") or [0.0]
    w(f"load average before: {la[0]:.2f}" + ("  (the machine was busy: times are noisy)" if la[0] > 0.5 else "") + "\n\n")
    w(f"{'':28}{'median':>10}{'min':>10}{'max':>10}{'MiB/s':>9}{'peak RSS':>12}{'RSS tree':>12}{'PSS tree':>12}\n")

    def row(name: str, d: dict[str, Any], speed: float | None, rss: str, tree: str, pss: str) -> None:
        w(f"{name:28}{d['median_s']:>9.3f}s{d['min_s']:>9.3f}s{d['max_s']:>9.3f}s"
          f"{(speed or 0):>9.1f}{rss:>12}{tree:>12}{pss:>12}\n")

    pss, tree = j.get("pss_tree_mb"), j.get("rss_tree_mb")
    row("jgview --json", j, res["mb_per_s"].get("jgview"), f"{j['rss_mb']:.1f} MB",
        "n/a" if tree is None else f"{tree:.1f} MB", "n/a" if pss is None else f"{pss:.1f} MB")
    row("zcat | grep -cE" if res["gzip"] else "grep -cE", g, res["mb_per_s"].get("grep"), f"{g['rss_mb']:.1f} MB", "", "")
    n_mem = len(j.get("memory_runs") or [])
    w(f"  (times unsampled; RSS tree and PSS tree from {n_mem} untimed memory round(s)"
      + (": none, --memory-rounds 0" if not n_mem else "") + ")\n")
    if "one_file_one_worker" in res:
        o1 = res["one_file_one_worker"]
        r1 = o1.get("ratio_default_to_one_worker")
        w(f"{'jgview, first file, 1 worker':28}{o1['median_s']:>9.3f}s"
          + (f"   (default workers / 1 worker = {r1:.2f})" if r1 else "") + "\n")
    if "one_file" in res:
        o = res["one_file"]
        w(f"{'jgview, first file alone':28}{o['median_s']:>9.3f}s   (all/one = {o['ratio_all_to_one']:.2f})\n")
        if "two_files" in res:
            t2 = res["two_files"]
            w(f"{'jgview, first two files':28}{t2['median_s']:>9.3f}s   (two/one = {t2['ratio_two_to_one']:.2f};"
              f" two / one file on one worker = {t2['ratio_two_to_one_worker']:.2f})\n")
    w(f"\n{'ratio jgview/grep':28}{res.get('ratio', float('nan')):>9.2f}\n")
    if "startup" in res:
        s = res["startup"]
        w(f"{'startup: jgview --help':28}{s['help_median_s'] * 1000:>8.0f}ms\n")
        w(f"{'startup: tiny log':28}{s['tiny_median_s'] * 1000:>8.0f}ms   (--json; verdict {s['tiny_verdict']}, exit {s['tiny_rc']})\n")
        if s.get("tiny_terminal_median_s") is not None:
            w(f"{'startup: tiny log, terminal':28}{s['tiny_terminal_median_s'] * 1000:>8.0f}ms\n")
        if s.get("libraries_median_s") is not None:
            w(f"{'  typer, rich, regex alone':28}{s['libraries_median_s'] * 1000:>8.0f}ms   (jgview's Python importing only"
              " them, same runs: the floor)\n")
    c = res["check"]
    w("\ncorrectness\n")
    if c.get("error"):
        w(f"  jgview output: {c['error']}\n")
    if c.get("verdict_ok") is None:
        w(f"  verdict {c['verdict']}, {len(c['clusters'] or [])} cluster(s): not checked ({c.get('why_not_checked')})\n")
    else:
        w(f"  verdict   {str(c['verdict']):>10}  truth {c['truth_verdict']:>10}  {_ok(c['verdict_ok'])}\n")
        w(f"  clusters  {len(c['clusters'] or []):>10}  truth {len(c['truth_clusters']):>10}  {_ok(c['clusters_ok'])}"
          f"  (members {sum(len(x) for x in c['clusters'] or [])} vs {sum(len(x) for x in c['truth_clusters'])})\n")
        w(f"  grep count{str(g['count']):>11}  truth {c['truth_membership_lines']:>10}  {_ok(c['grep_ok'])}\n")
    w(f"  jgview exit code {j['rc']}" + ("  (timed out)" if j["timed_out"] else "") + "\n")
    if j["rc"] not in (0, 1) and j["stderr"]:
        w("  jgview stderr (tail): " + j["stderr"].strip().splitlines()[-1][:300] + "\n")
    w("\ntargets (issue: 'As fast as grep on gigabyte logs, in bounded memory')\n")
    for name, v, lim, met in targets(res):
        vs = "n/a" if v is None else f"{v:.3f}"
        w(f"  {name:38}{vs:>10}  <= {lim:<6}  {'met' if met else ('NOT met' if met is not None else 'n/a')}\n")
    w("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", metavar="FILE", help="log files, or a directory written by generate.py")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cores", type=int, default=None, help="pin every child to this many CPUs (1 or 2)")
    ap.add_argument("--jgview-cmd", default=None, help='jgview command, split like a shell would (default "jgview --json")')
    ap.add_argument("--scaling", action="store_true",
                    help="also time jgview on the first file alone with JGVIEW_WORKERS=1 and with the default workers, and on"
                         " the first two files (2 files vs 1 file on 1 worker: the work spread over cores)")
    ap.add_argument("--memory-rounds", type=int, default=2,
                    help="untimed jgview runs after the timed rounds, sampling RSS and PSS of its process tree (0: skip)")
    ap.add_argument("--startup-runs", type=int, default=10, help="runs of each startup measurement (0: skip)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per run before the child is killed")
    ap.add_argument("--json", action="store_true", help="print the results as JSON on stdout (table on stderr)")
    a = ap.parse_args(argv)
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    if a.memory_rounds < 0:
        ap.error("--memory-rounds must be 0 or more")
    if a.cores is not None and not 1 <= a.cores <= len(os.sched_getaffinity(0)):
        ap.error(f"--cores must be between 1 and {len(os.sched_getaffinity(0))}")
    files, truth, why = expand_inputs(a.inputs)
    jg_cmd = shlex.split(a.jgview_cmd) if a.jgview_cmd else default_jgview_cmd()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    res = measure(files, jg_cmd, a.rounds, a.cores, a.timeout, a.scaling, a.startup_runs, log, a.memory_rounds)
    stdout = res.pop("_last_stdout")
    res["truth"] = {k: truth.get(k) for k in ("verdict", "clusters", "membership_lines", "lines", "bytes",
                                              "layout", "scenario", "gzip", "single_file")} if truth else None
    res["check"] = compare(truth, why, stdout, res["grep"]["count"])
    res["targets"] = [{"name": n, "value": v, "limit": lim, "met": m} for n, v, lim, m in targets(res)]
    print_table(res, sys.stderr if a.json else sys.stdout)
    if a.json:
        json.dump(res, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    c = res["check"]
    return 1 if (c.get("verdict_ok") is False or c.get("clusters_ok") is False or c.get("error")) else 0


if __name__ == "__main__":
    sys.exit(main())
