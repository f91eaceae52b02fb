"""Where replications run: the local pool (default) or a Dask cluster.

    from whorunsit import api
    from whorunsit.distribute import open_executor

    with open_executor("dask", "tcp://scheduler:8786") as executor:
        results = api.simulate(scenario, replications=100_000, seed=1, executor=executor)

``open_executor("local")`` yields None: the runner's own pool of up to two processes.
``open_executor("dask")`` connects to the scheduler at ``scheduler`` (else
``DASK_SCHEDULER_ADDRESS`` or Dask's ``scheduler-address`` setting) or, with none,
starts a LocalCluster sized to this machine, and closes what it started on the way out,
Ctrl-C included. Either way the results are the same as a local run's to the last bit:
chunks are seeded by replication index, never by worker.

Dask is an optional extra (``pip install 'whorunsit[dask]'``); nothing here imports it
until a Dask executor is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from whorunsit.errors import WhorunsitError

if TYPE_CHECKING:
    from whorunsit.engine.executors import Executor

EXECUTORS = ("local", "dask")
EXTRA = "pip install 'whorunsit[dask]'"


class ClusterError(WhorunsitError):
    """The cluster cannot be used: Dask missing, scheduler unreachable, no workers."""


@contextmanager
def open_executor(kind: str = "local", scheduler: str | None = None, *,
                  workers: int | None = None,
                  status: Callable[[str], None] | None = None) -> Iterator[Executor | None]:
    """The executor for ``kind`` ("local" or "dask"), closed (with any cluster it
    started) when the block ends. ``workers`` sizes a LocalCluster started here;
    ``status`` receives one line saying where the work runs."""
    if kind == "local":
        if scheduler is not None:
            raise ClusterError("--scheduler needs --executor dask (the local pool has no "
                               "scheduler)")
        yield None
        return
    if kind != "dask":
        raise ClusterError(f"unknown executor {kind!r}; one of {', '.join(EXECUTORS)}")
    try:
        from whorunsit.distribute.dask_cluster import DaskExecutor
    except ImportError as exc:
        raise ClusterError(f"--executor dask needs the dask extra ({exc.name} is not "
                           f"installed): {EXTRA}") from None
    executor = DaskExecutor.open(scheduler, workers=workers)
    try:
        if status is not None:
            status(executor.description)
        yield executor
    finally:
        executor.close()
