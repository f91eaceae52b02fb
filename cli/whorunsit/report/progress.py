"""A progress bar on stderr for long runs, and nothing at all otherwise.

The bar appears only when stderr is a terminal, the user did not ask for --quiet, and
the run has already taken about a second: short runs and pipes stay clean, and stdout
(the report itself) is never touched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress

#: seconds a run must have taken before the bar is worth showing
DELAY = 1.0


class _DelayedBar:
    def __init__(self, stream: TextIO, delay: float, clock: Callable[[], float], label: str):
        self.stream = stream
        self.delay = delay
        self.clock = clock
        self.label = label
        self.started = clock()
        self.progress: Progress | None = None
        self.task = None

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            if self.clock() - self.started < self.delay or done >= total:
                return
            # rich's live display loads only for a bar that is shown (~40 ms otherwise)
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("replications"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=total)
        # with a precision target the total grows as replications are added
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@contextmanager
def progress_bar(*, enabled: bool = True, stream: TextIO | None = None, delay: float = DELAY,
                 clock: Callable[[], float] = time.monotonic, label: str = "simulating",
                 ) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback for ``api.simulate``, or None when no
    bar may be shown (not a terminal, or ``enabled`` is False for --quiet)."""
    stream = stream if stream is not None else sys.stderr
    if not enabled or not _is_tty(stream):
        yield None
        return
    bar = _DelayedBar(stream, delay, clock, label)
    try:
        yield bar.update
    finally:
        bar.close()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
