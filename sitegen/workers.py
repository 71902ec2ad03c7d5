"""Every trick sitegen plays with processes, in one place: worker processes, the cycle collector,
and the signals a build holds or turns into KeyboardInterrupt.

A build is one short process that makes hundreds of thousands of long-lived objects and few
reference cycles; converting Markdown makes many cycles. So the build process tunes (`tune_collector`)
or turns off (`collector_off`) the cycle collector, while converting posts runs with it on
(`cycles_collected`, and in every worker). Workers die with their build, SIGKILL included.

Support module: imports nothing from sitegen.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")
SHARES_PER_PROCESS = 64  # small enough for the processes to end together, large enough to be cheap
PARSE_PARALLEL_FROM = 64  # fewer files are parsed sooner by one process than by starting workers
# Files sent to a worker at once: its posts, HTML included, come back in one message, which both
# processes hold whole (chunks of 600 posts cost each worker some 50 MB at 10,000 posts)
PARSE_CHUNK = 32
_HELD = (signal.SIGINT, signal.SIGTERM)


def tune_collector() -> None:
    """Collect young objects less often: the default thresholds had the cycle collector scan a
    build's long-lived objects (posts, pages, the cache index) over and over, a fifth of a
    rebuild's time."""
    gc.set_threshold(50_000, 50, 1000)


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """The cycle collector off for one whole build: the process ends after it, and the collector
    would only scan the posts and pages it makes (a twentieth of a rebuild)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def end_now() -> NoReturn:
    """End the process with status 0, its output flushed, without freeing what it made: the
    caller still holds the build's cache and posts, whose freeing one object at a time took a
    second of a rebuild at 100,000 posts, only for the process to end."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@contextlib.contextmanager
def cycles_collected() -> Iterator[None]:
    """The cycle collector on while converting posts, whatever the build process chose:
    Python-Markdown's recursive helpers leave a few reference cycles behind for each post.

    What the build made until then (the posts read from the cache, say) is frozen first: the
    collector would otherwise scan all of it at once, the work that turning it off saved.
    """
    if gc.isenabled():
        yield
        return
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        gc.disable()
        gc.unfreeze()


def stop_on_signals() -> list[int]:
    """SIGTERM (a supervisor's stop) and SIGINT, even in a process started in the background,
    raise KeyboardInterrupt, so a build cleans up as after Ctrl-C; the list returned gets the
    number of the signal that stopped it."""
    stopped: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopped.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return stopped


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (in the main thread; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def worker_pool(jobs: int, *, fork_only: bool) -> ProcessPoolExecutor | None:
    """`jobs` started worker processes, or None where they cannot be had (`fork_only`: forked ones)
    or none are asked for.

    Fork when no other thread runs (fast, and workers share the parent's memory); otherwise a
    forked copy could inherit a lock mid-use, so forkserver, which starts workers from a clean
    process. Workers die with the build.
    """
    if jobs < 1:
        return None
    import multiprocessing  # here: a rebuild of a few files never starts workers
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    method = "fork" if threading.active_count() == 1 and "fork" in methods else (
        "forkserver" if "forkserver" in methods else "spawn")
    if fork_only and method != "fork":
        return None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_start, initargs=(os.getpid() if method == "fork" else 0,))
    try:
        with signals_held():  # Ctrl-C in the middle of a fork would print a stray traceback
            for started in [pool.submit(int) for _ in range(jobs)]:
                started.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


def _worker_start(build: int) -> None:
    """A worker dies with its build (SIGKILL included) and holds none of its output streams."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, Linux
    except (OSError, AttributeError):
        pass
    if build and os.getppid() != build:
        os._exit(1)  # the build died before this worker could ask to die with it
    # Forked from a build that turned the collector off; workers convert posts (cycles_collected).
    # Frozen, the build's objects are never scanned here, nor their pages copied by the scan.
    gc.freeze()
    gc.enable()
    if hasattr(signal, "pthread_sigmask"):  # forked while the build held them (signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def mapped(work: Callable[..., R], arguments: Sequence[Sequence[Any]], *, jobs: int,
           parallel_from: int, chunk: int) -> Iterator[R]:
    """work(*arguments[i]) for each i, in order, as they come: in `jobs` worker processes when
    there are at least `parallel_from` calls, sent `chunk` at most at a time; otherwise here,
    with the cycle collector on."""
    with contextlib.ExitStack() as stack:
        pool = worker_pool(jobs, fork_only=False) if len(arguments) >= parallel_from and jobs > 1 else None
        if pool is not None:
            stack.enter_context(pool)
            size = max(1, min(chunk, len(arguments) // (jobs * 8)))
            yield from pool.map(work, *zip(*arguments, strict=True), chunksize=size)
        else:
            stack.enter_context(cycles_collected())
            for one in arguments:
                yield work(*one)


# What forked workers of `shared_out` inherit: set before they start, cleared when they are done.
# Module state, one of the two in sitegen (tests/test_architecture.py names them): a fork passes
# it without pickling (a Jinja environment cannot be pickled).
_FORKED: dict[str, tuple[Callable[[Any], Any], Sequence[Any], Any, int]] = {}


def shared_out(work: Callable[[T], R], items: Sequence[T], *, jobs: int,
               progress: Callable[[int], None] | None = None, before: Callable[[], object] = int,
               ) -> list[R]:
    """work(item) for each item, in order, shared out between this process and jobs - 1 forked
    workers, each taking the next share from a common cursor: one process fewer to hold in memory
    than a pool doing the work while this one waits. Forked, not spawned: the workers inherit
    `work` and whatever it holds. `before` runs once, before any worker starts; `progress` gets
    the number of items taken so far. Without fork, or with one job, all runs here.
    """
    outcomes: list[R | None] = [None] * len(items)
    pool = None
    if jobs > 1:
        import multiprocessing

        cursor = multiprocessing.get_context("fork").Value("q", 0)
        size = -(-len(items) // (jobs * SHARES_PER_PROCESS))
        before()
        _FORKED["work"] = work, items, cursor, size
        pool = worker_pool(jobs - 1, fork_only=True)
    try:
        if pool is None:
            for index, item in enumerate(items):
                outcomes[index] = work(item)
                if progress is not None:
                    progress(index + 1)
            return outcomes  # type: ignore[return-value]  # every item has one
        with pool:
            helpers = [pool.submit(_forked_shares) for _ in range(jobs - 1)]
            try:
                for start, results in _take_shares(work, items, cursor, size):
                    outcomes[start:start + len(results)] = results
                    if progress is not None:  # items taken by every process, nearly all done
                        progress(min(cursor.value, len(items)))
                    for helper in helpers:
                        if helper.done() and helper.exception() is not None:
                            helper.result()  # a worker failed: stop, and say why
            except BaseException:
                with cursor.get_lock():
                    cursor.value = len(items)  # the items left: workers stop at their next share
                raise
            for helper in helpers:
                for start, results in helper.result():
                    outcomes[start:start + len(results)] = results
        if progress is not None:
            progress(len(items))
    finally:
        _FORKED.clear()
    return outcomes  # type: ignore[return-value]  # every share was taken by one process


def _forked_shares() -> list[tuple[int, list[Any]]]:
    return list(_take_shares(*_FORKED["work"]))


def _take_shares(work: Callable[[T], R], items: Sequence[T], cursor: Any,
                 size: int) -> Iterable[tuple[int, list[R]]]:
    """Do the next `size` items that no process has taken, until none are left."""
    while True:
        with cursor.get_lock():
            start = cursor.value
            cursor.value = start + size
        if start >= len(items):
            return
        yield start, [work(items[i]) for i in range(start, min(start + size, len(items)))]


def in_two(work: Callable[[int], list[T]], *, forked: bool = True) -> list[T]:
    """work(0) + work(1), the second half run at once in a forked copy of this process: for work
    that waits on the system (a stat of every output file) rather than on Python, which one
    process does at the speed of one core. Both run here when `forked` is False, where a fork is
    not safe (another thread runs) or fails, and again here if the copy fails."""
    if not forked or threading.active_count() > 1 or not hasattr(os, "fork"):
        return work(0) + work(1)
    import pickle  # our own results, from our own copy

    reading, writing = os.pipe()
    pid = 0
    try:
        with signals_held():  # Ctrl-C in the middle of a fork would leave the copy unsure of its role
            pid = os.fork()
            if pid == 0:  # the copy leaves before the signals come back: it never runs the caller's code
                _second_half(work, reading, writing)
    except BaseException as exc:  # no fork; or Ctrl-C held during it, raised here as it ended
        os.close(reading)
        os.close(writing)
        if pid:
            os.waitpid(pid, 0)
        if isinstance(exc, OSError) and not pid:
            return work(0) + work(1)
        raise
    os.close(writing)
    try:
        mine = work(0)
    finally:
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    try:
        theirs: list[T] = pickle.loads(data) if status == 0 else work(1)
    except (pickle.UnpicklingError, EOFError, ValueError):  # a copy stopped mid-write
        theirs = work(1)
    return mine + theirs


def _second_half(work: Callable[[int], list[Any]], reading: int, writing: int) -> None:
    """In the forked copy of in_two: work(1) through the pipe, then out, running none of the
    parent's cleanup; a signal or an error ends the copy without a result."""
    import pickle

    status = 1
    try:
        os.close(reading)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
        data = pickle.dumps(work(1))
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
