"""Worker processes under a time budget, for parse.py (this module imports no spaCy).

A worker is replaced when an item takes over the budget or the process dies, and the rest of
its work is handed on. Workers die with their parent: PR_SET_PDEATHSIG on Linux (tied to the
thread that started them, so start them from a thread that lives as long as the pool), and a
watchdog thread elsewhere (it needs the GIL, which a busy C extension may hold).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

# (index of an item, "done" | "over" | "died", the result | seconds taken | how it died)
Outcome = tuple[int, str, Any]


class WorkerError(RuntimeError):
    """An exception raised inside a worker; the message is its traceback there."""


# A pool's workers may fail to start this many times in a row before the pool gives up.
MAX_FAILED_STARTS = 3


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    setup: threading.Thread  # sending the worker its setup; done before anything else is sent
    ready: bool = False
    task: list[tuple[int, str, str]] = field(default_factory=list)
    begun: dict[int, float] = field(default_factory=dict)  # index -> when its first batch began
    finished: set[int] = field(default_factory=set)

    def in_progress(self) -> list[int]:
        return [index for index in self.begun if index not in self.finished]


class Pool:
    """Worker processes that each call `init(*args)` once, which returns a handler; a task (a
    list of (index, name, text)) is sent to an idle worker, whose handler yields events:
    ("begin", [index]) when it starts or continues items, ("done", index, result) and
    ("over", index, seconds) when it gave one up itself. An exception in a handler is raised
    here as a WorkerError.

    An item has `budget` seconds from its first "begin": a worker over it, or dead, is killed
    and replaced; the one item it was on fails ("over" or "died"; several: each is retried
    alone, so only the culprit fails) and the rest of its task goes back in the queue."""

    def __init__(
        self, size: int, init: Callable[..., Any], args: tuple[Any, ...], *, budget: float
    ) -> None:
        self._context = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB
        self._init, self._args, self._budget = init, args, budget
        self._failed_starts = 0
        self._workers = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, os.getpid()), daemon=True, name="westphalia-parse"
        )
        process.start()
        child.close()
        # The setup (the parser's 42,000 phrases: megabytes) goes over the pipe from a thread:
        # a send blocks until the new process reads it, after its interpreter has started
        # (~1 s), and the workers, like the caller, need not wait for one another.
        setup = threading.Thread(
            target=_send_quietly, args=(parent, (self._init, self._args)), daemon=True
        )
        setup.start()
        return _Worker(process, parent, setup)

    def run(self, tasks: list[list[tuple[int, str, str]]]) -> Iterator[Outcome]:
        """(index, "done", result), (index, "over", seconds) or (index, "died", how) for every
        item of `tasks`, as they finish."""
        queue = deque(tasks)
        try:
            while queue or any(w.task for w in self._workers):
                for worker in self._workers:
                    if worker.ready and not worker.task and queue:
                        worker.task = queue.popleft()
                        worker.conn.send(worker.task)
                wait(
                    [w.conn for w in self._workers] + [w.process.sentinel for w in self._workers],
                    timeout=self._until_deadline(),
                )
                for worker in list(self._workers):
                    yield from self._receive(worker, queue)
                yield from self._enforce(queue)
        finally:  # left early (the caller stopped reading, or an error): no stale work survives
            for worker in [w for w in self._workers if w.task]:
                self._replace(worker)

    def _until_deadline(self) -> float:
        begun = [w.begun[i] for w in self._workers for i in w.in_progress()]
        if not begun:
            return 5.0
        return min(5.0, max(0.01, min(begun) + self._budget - time.monotonic()))

    def _receive(self, worker: _Worker, queue: deque) -> Iterator[Outcome]:
        """Take what `worker` has sent; replace it if it died."""
        try:
            while worker.conn.poll():
                kind, *rest = worker.conn.recv()
                if kind == "ready":
                    worker.ready, self._failed_starts = True, 0
                elif kind == "error":
                    raise WorkerError(rest[0])
                elif kind == "begin":
                    now = time.monotonic()
                    for index in rest[0]:
                        worker.begun.setdefault(index, now)
                else:
                    yield from self._finish(worker, kind, rest)
        except (EOFError, OSError):
            pass
        if not worker.process.is_alive():
            yield from self._lose(worker, queue, over=False)

    def _finish(self, worker: _Worker, kind: str, rest: list[Any]) -> Iterator[Outcome]:
        index = rest[0]
        worker.finished.add(index)
        yield index, kind, rest[1]
        if len(worker.finished) == len(worker.task):
            worker.task, worker.begun, worker.finished = [], {}, set()

    def _enforce(self, queue: deque) -> Iterator[Outcome]:
        now = time.monotonic()
        for worker in list(self._workers):
            if any(now - worker.begun[i] > self._budget for i in worker.in_progress()):
                yield from self._lose(worker, queue, over=True)

    def _lose(self, worker: _Worker, queue: deque, *, over: bool) -> Iterator[Outcome]:
        """Kill `worker` and start another; fail the item it was on, or retry each alone."""
        self._replace(worker)
        if not worker.ready:
            self._failed_starts += 1
            if self._failed_starts > MAX_FAILED_STARTS:
                raise RuntimeError(
                    f"parse workers exit as they start (exit code {worker.process.exitcode}); "
                    "run `westphalia doctor` or set parse.processes=1"
                )
        current = [i for i in worker.task if i[0] in worker.in_progress()]
        waiting = [i for i in worker.task if i[0] not in worker.begun]
        if waiting:
            queue.appendleft(waiting)
        if len(current) != 1:
            queue.extendleft([item] for item in current)
        elif over:
            index = current[0][0]
            yield index, "over", time.monotonic() - worker.begun[index]
        else:
            yield current[0][0], "died", _how(worker.process.exitcode or 0)

    def _replace(self, worker: _Worker) -> None:
        _stop(worker.process)
        worker.conn.close()
        self._workers.remove(worker)
        self._workers.append(self._start())

    def close(self) -> None:
        for worker in self._workers:
            worker.setup.join(timeout=5)  # one message at a time on the pipe
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(timeout=5)
            _stop(worker.process)
            worker.conn.close()
        self._workers = []


def _how(exitcode: int) -> str:
    """How a process ended, from its exit code (minus the signal number if a signal)."""
    if exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        return f"killed by {signal.Signals(-exitcode).name}"
    except ValueError:
        return f"killed by signal {-exitcode}"


def _stop(process: BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


def _send_quietly(conn: Connection, message: Any) -> None:
    """Send `message`; a worker that died first is noticed by the pool, not here."""
    with contextlib.suppress(OSError, EOFError):
        conn.send(message)


def _serve(conn: Connection, parent_pid: int) -> None:
    """A worker's main: die with the parent, receive its setup (a function and its arguments)
    and run it, then answer tasks until told to stop."""
    _die_with_parent(parent_pid)
    try:
        init, args = conn.recv()
    except EOFError:
        return
    handle = init(*args)
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            for event in handle(task):
                conn.send(event)
        except Exception:  # a bug: the parent raises it; this worker stays usable
            conn.send(("error", traceback.format_exc()))


# From <linux/prctl.h>: the signal a process gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1
# How often a worker's watchdog thread checks that its parent is alive (seconds).
WATCHDOG_SECONDS = 1.0


def _die_with_parent(parent_pid: int) -> None:
    """Make this process exit when `parent_pid` dies, even while busy: the kernel kills it
    (Linux), or a watchdog thread notices the new parent (elsewhere; it needs the GIL)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="parent-watch").start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)
