"""Worker processes under a time budget, for parse.py (this module imports no spaCy).

A worker is replaced when an item takes over the budget or the process dies, and the rest of
its work is handed on. Workers die with their parent: PR_SET_PDEATHSIG on Linux (tied to the
thread that started them, so start them from a thread that lives as long as the pool), and a
watchdog thread elsewhere (it needs the GIL, which a busy C extension may hold).

Workers are spawned (a fresh interpreter: no fork of a process holding DuckDB), or with
`start_method="forkserver"` forked by multiprocessing's fork server, a clean process started
once, which can hold what every worker needs already loaded (parse.py preloads the model and
the phrase matchers in it). A forked worker's parent is the server, which exits when the
pool's process does (`_release_fork_server`); the worker dies with the server. A fork waits until the server has
preloaded, so such workers are started from their setup thread, not the caller's.

A worker sends its results from a thread of its own (`_Outbox`), so it does not stand blocked on
a full pipe while the caller codes earlier results; the caller hands out the next task before it
yields the results it has received.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
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
from multiprocessing.reduction import ForkingPickler
from queue import SimpleQueue
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
    launched: threading.Event  # set once the process is started (or failed to start)
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
        self,
        size: int,
        init: Callable[..., Any],
        args: tuple[Any, ...] | None,
        *,
        budget: float,
        start_method: str = "spawn",
        preload: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
    ) -> None:
        """`args` None: given later (`set_up`); the workers start at once and wait for them,
        having called `preload` (a function and its arguments, each worker once as it starts,
        before its setup: what takes long and needs no arguments that come later)."""
        self._context = multiprocessing.get_context(start_method)
        self._served = start_method == "forkserver"
        self._init, self._args, self._budget, self._preload = init, args, budget, preload
        self._given = threading.Event()  # the setup's arguments are known (or the pool closed)
        if args is not None:
            self._given.set()
        self._failed_starts = 0
        self._queue: deque[list[tuple[int, str, str]]] = deque()  # tasks not handed out yet
        self._workers = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        watched = None if self._served else os.getpid()  # a forked worker watches the server
        process = self._context.Process(
            target=_serve,
            args=(child, watched, self._preload),
            daemon=True,
            name="westphalia-parse",
        )
        launched = threading.Event()
        if not self._served:
            _launch(process, child, launched)
        # The setup (the parser's 42,000 phrases: megabytes) goes over the pipe from a thread:
        # a send blocks until the new process reads it, after its interpreter has started
        # (~1 s), and the workers, like the caller, need not wait for one another. A forked
        # worker is also started there: the fork waits for the server's preload (~3 s once).
        setup = threading.Thread(
            target=_set_up,
            args=(process, child, launched, parent, self._setup),
            daemon=True,
        )
        setup.start()
        return _Worker(process, parent, setup, launched)

    def set_up(self, args: tuple[Any, ...]) -> None:
        """Give the workers' setup its arguments (a pool made with `args` None)."""
        self._args = args
        self._given.set()

    def _setup(self) -> tuple[Any, ...] | None:
        """The setup to send a worker, once its arguments are known (None: the pool closed
        first)."""
        self._given.wait()
        return None if self._args is None else (self._init, self._args)

    def run(self, tasks: list[list[tuple[int, str, str]]]) -> Iterator[Outcome]:
        """(index, "done", result), (index, "over", seconds) or (index, "died", how) for every
        item of `tasks`, as they finish (the pool has nothing else to do)."""
        self.submit(tasks)
        try:
            while self.busy:
                yield from self.poll(None)
        finally:  # left early (the caller stopped reading, or an error): no stale work survives
            self.cancel()

    def submit(self, tasks: list[list[tuple[int, str, str]]]) -> None:
        """Queue `tasks` behind those already queued; `poll` hands them out. The indices of
        their items must differ from those of every item not finished yet."""
        self._queue.extend(task for task in tasks if task)

    @property
    def busy(self) -> bool:
        """Some task is queued or on a worker."""
        return bool(self._queue) or any(w.task for w in self._workers)

    def poll(self, timeout: float | None = 0.0) -> list[Outcome]:
        """Hand out queued tasks to idle workers, wait up to `timeout` seconds (None: until
        something arrives) for news, and return the outcomes that arrived, (index, "done",
        result), (index, "over", seconds) or (index, "died", how). A worker that finished its
        task gets the next one before the caller works on these outcomes, not after."""
        self._dispatch()
        deadline = self._until_deadline()
        wait(
            [w.conn for w in self._workers]
            + [w.process.sentinel for w in self._workers if _started(w)],
            timeout=deadline if timeout is None else min(timeout, deadline),
        )
        outcomes: list[Outcome] = []
        for worker in list(self._workers):
            outcomes.extend(self._receive(worker))
        outcomes.extend(self._enforce())
        self._dispatch()
        return outcomes

    def discard(self, indices: set[int]) -> None:
        """Drop the work on the items `indices`: take them out of the queued tasks, and
        replace a worker that is on a task holding one of them (a caller puts each batch of
        its own in tasks of their own, so no other work is lost)."""
        kept = [[item for item in task if item[0] not in indices] for task in self._queue]
        self._queue = deque(task for task in kept if task)
        for worker in list(self._workers):
            if any(item[0] in indices for item in worker.task):
                self._replace(worker)

    def cancel(self) -> None:
        """Drop every queued task and replace each worker that is on one: no stale work
        survives (after an error, or a caller that stopped reading)."""
        self._queue.clear()
        for worker in [w for w in self._workers if w.task]:
            self._replace(worker)

    def _dispatch(self) -> None:
        for worker in self._workers:
            if worker.ready and not worker.task and self._queue:
                worker.task = self._queue.popleft()
                worker.conn.send(worker.task)

    def _until_deadline(self) -> float:
        begun = [w.begun[i] for w in self._workers for i in w.in_progress()]
        if not begun:
            return 5.0
        return min(5.0, max(0.01, min(begun) + self._budget - time.monotonic()))

    def _receive(self, worker: _Worker) -> Iterator[Outcome]:
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
        if worker.launched.is_set() and not worker.process.is_alive():
            yield from self._lose(worker, over=False)

    def _finish(self, worker: _Worker, kind: str, rest: list[Any]) -> Iterator[Outcome]:
        index = rest[0]
        worker.finished.add(index)
        yield index, kind, rest[1]
        if len(worker.finished) == len(worker.task):
            worker.task, worker.begun, worker.finished = [], {}, set()

    def _enforce(self) -> Iterator[Outcome]:
        now = time.monotonic()
        for worker in list(self._workers):
            if any(now - worker.begun[i] > self._budget for i in worker.in_progress()):
                yield from self._lose(worker, over=True)

    def _lose(self, worker: _Worker, *, over: bool) -> Iterator[Outcome]:
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
            self._queue.appendleft(waiting)
        if len(current) != 1:
            self._queue.extendleft([item] for item in current)
        elif over:
            index = current[0][0]
            yield index, "over", time.monotonic() - worker.begun[index]
        else:
            yield current[0][0], "died", _how(worker.process.exitcode or 0)

    def _replace(self, worker: _Worker) -> None:
        worker.launched.wait(timeout=_LAUNCH_SECONDS)
        _stop(worker.process)
        worker.conn.close()
        self._workers.remove(worker)
        self._workers.append(self._start())

    def close(self) -> None:
        self._given.set()  # a setup thread still waiting for the arguments sends nothing
        for worker in self._workers:
            worker.setup.join(timeout=5)  # one message at a time on the pipe
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            if _started(worker):
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
    if process.pid is None:  # never started (its fork server failed)
        return
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


# How long a pool waits for a worker's start before giving up on stopping it (seconds): a fork
# from the server waits for the server's preload, about 3 s on a loaded 2-core machine.
_LAUNCH_SECONDS = 60.0


def _started(worker: _Worker) -> bool:
    return worker.launched.is_set() and worker.process.pid is not None


def _launch(process: BaseProcess, child: Connection, launched: threading.Event) -> None:
    """Start `process`, then close this process's end of its pipe (`child`)."""
    try:
        process.start()
    finally:
        child.close()
        launched.set()


def _set_up(
    process: BaseProcess,
    child: Connection,
    launched: threading.Event,
    conn: Connection,
    setup: Callable[[], tuple[Any, ...] | None],
) -> None:
    """A worker's setup thread: start it if not started yet (a fork), then send its setup
    once known. A start that fails leaves the process unstarted: the pool sees it dead and
    replaces it."""
    if not launched.is_set():
        try:
            _launch(process, child, launched)
        except Exception:  # noqa: BLE001 - the pool counts failed starts and says what to do
            return
    message = setup()
    if message is not None:
        _send_quietly(conn, message)


def _send_quietly(conn: Connection, message: Any) -> None:
    """Send `message`; a worker that died first is noticed by the pool, not here."""
    with contextlib.suppress(OSError, EOFError):
        conn.send(message)


def _serve(
    conn: Connection,
    parent_pid: int | None,
    preload: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
) -> None:
    """A worker's main: die with the parent (None: the fork server this worker was forked
    from), run the preload, receive its setup (a function and its arguments) and run it, then
    answer tasks until told to stop.

    What the preload and the setup load (a model, matchers) lives as long as the worker: the
    cyclic garbage collector is off while they load and then leaves it out of its full passes
    (`gc.freeze`), which otherwise walked it again and again (a parse worker's start-up made
    three full passes, 0.08 s, and each later one walks the model's objects)."""
    if parent_pid is None:
        _release_fork_server()
    _die_with_parent(os.getppid() if parent_pid is None else parent_pid)
    gc.disable()
    if preload is not None:
        # only a head start: the setup does the same work again where this failed, and fails
        # (the pool reports it) where it has to
        with contextlib.suppress(Exception):
            preload[0](*preload[1])
    try:
        setup = conn.recv()
    except EOFError:
        return
    if setup is None:  # the pool closed before the setup was known
        return
    init, args = setup
    handle = init(*args)
    gc.freeze()
    gc.enable()
    try:
        _answer(conn, handle)
    finally:
        # collectable again at exit: extension modules (DuckDB's bindings, where the parent's
        # main script imports them) report objects still alive then as leaks
        gc.unfreeze()


def _answer(conn: Connection, handle: Callable[..., Any]) -> None:
    """Answer tasks until told to stop (or the pool is gone)."""
    outbox = _Outbox(conn)
    outbox.put(("ready",))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            outbox.close()
            return
        try:
            for event in handle(task):
                outbox.put(event)
        except Exception:  # a bug: the parent raises it; this worker stays usable
            outbox.put(("error", traceback.format_exc()))


class _Outbox:
    """A worker's messages to the pool, sent in order by a thread of their own: the worker goes
    on with its task while the pool is busy with earlier results (it reads them between its own
    work, and the pipe holds only a few documents' parses). A "begin" is waited for: the pool
    must know what a worker is on before it starts (the one item a crash is blamed on). The
    first "begin" of a task costs no wait (a task is sent once every result of the one before
    has arrived)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._queue: SimpleQueue[tuple[memoryview, threading.Event | None] | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._send, daemon=True, name="outbox")
        self._thread.start()

    def put(self, message: tuple[Any, ...]) -> None:
        sent = threading.Event() if message[0] == "begin" else None
        self._queue.put((ForkingPickler.dumps(message), sent))
        if sent is not None:
            sent.wait()

    def close(self) -> None:
        """Send what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _send(self) -> None:
        while (item := self._queue.get()) is not None:
            data, sent = item
            try:
                self._conn.send_bytes(data)
            except OSError:  # the pool is gone: this worker dies with it
                os._exit(1)
            if sent is not None:
                sent.set()


def _release_fork_server() -> None:
    """Close this forked worker's copy of the pipe end by which the fork server knows that the
    pool's process lives (multiprocessing hands it to every process it forks). The server exits
    when the pool's process dies only once no worker holds it; the workers then die with the
    server (PR_SET_PDEATHSIG), busy or not."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


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
