"""Preloaded into the workers of a LocalCluster that whorunsit starts itself.

Ctrl-C in a terminal reaches every process of the foreground group, these workers too;
they leave it to the command, which cancels the run and closes the cluster in order,
instead of each dying with a traceback of its own.
"""

from __future__ import annotations

import signal


def dask_setup(worker) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
