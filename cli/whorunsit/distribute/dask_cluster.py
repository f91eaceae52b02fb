"""The engine's chunks on a Dask distributed cluster (imported only with the dask extra).

The job (chunk function, scenario, seed) goes to the cluster once, as a task of its
own: each worker fetches it once and keeps one copy, so the plan built from the
scenario is built once per worker, and when the worker holding it dies the scheduler
rebuilds it from the task like any other. Each chunk of replications is a task with
retries; a chunk whose worker is lost mid-run is simply played again elsewhere, which
changes nothing, since replication r always uses the random streams of index r.

Every task carries a fingerprint of the client's engine (its sources and the versions
of Python, numpy and numba): a worker running another version would return other
numbers, so it refuses the task instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import dask
from dask.utils import parse_timedelta
from distributed import Client, KilledWorker, LocalCluster, as_completed

from whorunsit.distribute import ClusterError

if TYPE_CHECKING:
    from whorunsit.engine.runner import Chunk
    from whorunsit.model import Scenario

T = TypeVar("T")
R = TypeVar("R")

#: a task that raised is tried this many more times (a worker that died is another
#: matter: the scheduler reschedules its tasks up to distributed.scheduler.allowed-failures)
RETRIES = 2
#: seconds between looks at a Ctrl-C while waiting for chunks
POLL = 0.1


def machine_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def engine_fingerprint() -> str:
    """What decides a replication's numbers besides scenario and seed: the engine's
    sources and the versions of what runs them."""
    import numba
    import numpy

    import whorunsit.engine

    digest = hashlib.sha256(f"{platform.python_version()} {numpy.__version__} "
                            f"{numba.__version__}".encode())
    for path in sorted(Path(whorunsit.engine.__file__).parent.rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


_worker_fingerprint: list[str] = []


def _check_engine(expected: str) -> None:
    if not _worker_fingerprint:
        _worker_fingerprint.append(engine_fingerprint())
    if _worker_fingerprint[0] != expected:
        raise ClusterError(f"this worker's whorunsit engine ({_worker_fingerprint[0]}) is not "
                           f"the client's ({expected}): install the same whorunsit, numpy and "
                           "numba on every worker")


@dataclass(frozen=True)
class _Job:
    chunk: Callable[..., Chunk]
    scenario: Scenario
    seed: int
    fingerprint: str


def _unpack(blob: bytes) -> _Job:
    return pickle.loads(blob)


def _play(job: _Job, start: int, stop: int) -> Chunk:
    _check_engine(job.fingerprint)
    return job.chunk(job.scenario, job.seed, start, stop)


def _call(fn: Callable[[T], R], item: T, fingerprint: str) -> R:
    _check_engine(fingerprint)
    return fn(item)


def scheduler_address(given: str | None) -> str | None:
    """--scheduler, else DASK_SCHEDULER_ADDRESS, else Dask's ``scheduler-address``."""
    return (given or os.environ.get("DASK_SCHEDULER_ADDRESS")
            or dask.config.get("scheduler-address", None))


def connect_timeout() -> float:
    """Dask's own bound on connecting (distributed.comm.timeouts.connect, 30 s unless set)."""
    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect")))


class DaskExecutor:
    """Plays chunks (and sweep points) on a Dask cluster; see ``engine.executors``."""

    def __init__(self, client: Client, cluster: LocalCluster | None, description: str):
        self.client = client
        self.cluster = cluster
        self.description = description
        self.fingerprint = engine_fingerprint()

    @property
    def slots(self) -> int:
        """Worker threads across the cluster now (it may grow or shrink later)."""
        return max(1, sum(self.client.nthreads().values()))

    @classmethod
    def open(cls, scheduler: str | None = None, *, workers: int | None = None) -> DaskExecutor:
        address = scheduler_address(scheduler)
        if address is None:
            return cls.local_cluster(workers)
        if workers is not None:
            raise ClusterError("--workers sizes the local pool or the LocalCluster that "
                               "--executor dask starts; the cluster at "
                               f"{address} has the workers it has")
        return cls.connect(address)

    @classmethod
    def local_cluster(cls, workers: int | None = None) -> DaskExecutor:
        n = workers if workers is not None else machine_cores()
        # one single-threaded process per core: the engine holds the GIL while it plays
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.CRITICAL,
                               preload=["whorunsit.distribute.local_worker"])
        try:
            client = Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return cls(client, cluster, f"dask: LocalCluster started here, {n} worker"
                   f"{'s' if n != 1 else ''} x 1 thread ({cluster.scheduler_address})")

    @classmethod
    def connect(cls, address: str) -> DaskExecutor:
        timeout = connect_timeout()
        # a path is a scheduler file, as dask-jobqueue and `dask scheduler
        # --scheduler-file` write it
        where = {"scheduler_file": address} if Path(address).is_file() else {"address": address}
        try:
            client = Client(**where, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            # Dask's own message for the common case only repeats the address and the time
            reason = "" if reason.startswith("Timed out") else f" ({reason})"
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} within {timeout:g} s{reason}; "
                "is `dask scheduler` running there? Give its address (tcp://HOST:8786) with "
                "--scheduler or DASK_SCHEDULER_ADDRESS") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            client.close()
            raise ClusterError(f"the Dask scheduler at {address} has had no workers for "
                               f"{timeout:g} s: start some with `dask worker {address}`") from None
        info = client.nthreads()
        return cls(client, None, f"dask: scheduler {address}, {len(info)} worker"
                   f"{'s' if len(info) != 1 else ''}, {sum(info.values())} threads")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run_chunks(self, chunk: Callable[..., Chunk], scenario: Scenario, seed: int,
                   ranges: Sequence[tuple[int, int]],
                   progress: Callable[[int], None] | None = None) -> list[Chunk]:
        token = uuid.uuid4().hex[:12]
        blob = pickle.dumps(_Job(chunk, scenario, seed, self.fingerprint),
                            protocol=pickle.HIGHEST_PROTOCOL)
        job = self.client.submit(_unpack, blob, key=f"whorunsit-job-{token}", pure=False)
        futures = [self.client.submit(_play, job, a, b, key=f"whorunsit-chunk-{token}-{a}-{b}",
                                      retries=RETRIES, pure=False)
                   for a, b in ranges]
        sizes = [b - a for a, b in ranges]
        return self._collect(futures, sizes, progress, also=[job])

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            progress: Callable[[int], None] | None = None) -> list[R]:
        token = uuid.uuid4().hex[:12]
        futures = [self.client.submit(_call, fn, item, self.fingerprint, retries=RETRIES,
                                      pure=False, key=f"whorunsit-item-{token}-{i}")
                   for i, item in enumerate(items)]
        return self._collect(futures, [1] * len(futures), progress)

    def _collect(self, futures: list[Any], sizes: list[int],
                 progress: Callable[[int], None] | None, also: Sequence[Any] = ()) -> list[Any]:
        """Results in submission order, reporting progress as each finishes; on any
        error or Ctrl-C the cluster is told to drop every task of this call."""
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        done = 0
        finishing = as_completed(futures, loop=self.client.loop)
        try:
            with _interruptible() as interrupted:
                while not finishing.is_empty():
                    if interrupted.is_set():
                        raise KeyboardInterrupt
                    finished = finishing.next_batch(block=False)
                    if not finished:
                        # woken as soon as a future finishes, as as_completed itself waits
                        with finishing.thread_condition:
                            finishing.thread_condition.wait(timeout=POLL)
                        continue
                    for future in sorted(finished, key=lambda f: index[f.key]):
                        i = index[future.key]
                        try:
                            results[i] = future.result()
                        except KilledWorker as exc:
                            raise ClusterError(
                                f"task {future.key} was running on every one of the workers "
                                f"that died under it ({exc}); the cluster may be short of "
                                "memory") from None
                        done += sizes[i]
                    if progress is not None:
                        progress(done)
        finally:
            self.client.cancel([*futures, *also], force=True)
        return results


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """Ctrl-C sets an event the wait loop checks, instead of raising wherever the main
    thread happens to be: inside one of distributed's callbacks it would be swallowed
    ("Exception ignored in ...") and the run would go on."""
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return
    previous = signal.signal(signal.SIGINT, lambda *_: event.set())
    try:
        yield event
    finally:
        signal.signal(signal.SIGINT, previous)
