"""jgview.workers: forked workers, tasks by index, results in order, failures told apart."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from jgview import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers fork")


def square(x):
    return x * x


def whoami(delay):
    time.sleep(delay)
    return os.getpid()


def boom(x):
    raise ValueError(f"no {x}")


def die(x):
    os._exit(137)


def unpicklable(x):
    return lambda: x


def test_results_come_back_in_task_order():
    tasks = [(square, (i,)) for i in range(50)]
    got = workers.run(tasks, 3)
    assert got == [(workers.OK, i * i) for i in range(50)]


def test_tasks_run_in_other_processes_and_are_shared_out():
    # one long task: the other worker takes the short ones meanwhile
    tasks = [(whoami, (0.6,))] + [(whoami, (0.02,)) for _ in range(10)]
    got = workers.run(tasks, 2)
    pids = [r for _, r in got]
    assert os.getpid() not in pids
    long_pid = pids[0]
    assert sum(1 for p in pids[1:] if p != long_pid) >= 8


def test_an_exception_or_an_unpicklable_result_is_failed_and_the_rest_goes_on():
    tasks = [(square, (2,)), (boom, (1,)), (unpicklable, (3,)), (square, (4,))]
    got = workers.run(tasks, 2)
    assert got[0] == (workers.OK, 4) and got[3] == (workers.OK, 16)
    assert got[1] == (workers.FAILED, None) and got[2] == (workers.FAILED, None)


def test_a_killed_worker_loses_its_tasks_only():
    tasks = [(square, (i,)) for i in range(6)] + [(die, (0,))] + [(square, (i,)) for i in range(6, 12)]
    got = workers.run(tasks, 2)
    assert got[6] == (workers.LOST, None)
    ok = [i for i, (o, _) in enumerate(got) if o == workers.OK]
    # the other worker finished what it had; tasks the dead one held may be lost with it
    assert len(ok) >= 8
    assert all(got[i][1] == tasks[i][1][0] ** 2 for i in ok)


def test_every_worker_dies():
    got = workers.run([(die, (0,)) for _ in range(5)], 2)
    assert got == [(workers.LOST, None)] * 5


def test_while_waiting_runs_here_once_they_are_started():
    seen = []
    got = workers.run([(whoami, (0.05,)) for _ in range(4)], 2, lambda: seen.append(os.getpid()))
    assert seen == [os.getpid()] and all(o == workers.OK for o, _ in got)


def test_no_child_left_and_no_output_written_twice(tmp_path):
    """A worker ends with os._exit: what the parent had buffered is not flushed twice, no
    zombie remains."""
    script = tmp_path / "s.py"
    script.write_text(
        "import os, sys\n"
        "from jgview import workers\n"
        "def f(x):\n    return x + 1\n"
        "sys.stdout.write('buffered once\\n')\n"  # not flushed before the fork
        "r = workers.run([(f, (i,)) for i in range(8)], 3)\n"
        "assert [v for _, v in r] == list(range(1, 9))\n"
        "try:\n    os.waitpid(-1, os.WNOHANG)\n    print('child left')\n"
        "except ChildProcessError:\n    print('no child')\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("buffered once") == 1
    assert "no child" in out.stdout


def test_as_many_tasks_as_workers_run_at_once():
    """(Two gzip files on two cores were read one after the other: the first worker had been
    handed both.)"""
    t = time.perf_counter()
    got = workers.run([(whoami, (0.4,)), (whoami, (0.4,))], 2)
    assert len({pid for _, pid in got}) == 2
    assert time.perf_counter() - t < 0.75


def test_no_descriptor_left_open():
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        workers.run([(square, (i,)) for i in range(4)], 2)
    assert len(os.listdir("/proc/self/fd")) == before
