"""Event kinds of the replication loop (heap events and pre-sorted ones)."""

import numpy as np

from whorunsit.engine.memo import once_per

# typed integers, not Python ints: numba compiles a function once per distinct argument
# type, and each Python int constant passed to the loop's ``push`` is a type of its own
EV_DONE, EV_JOIN, EV_ARRIVE, EV_BOUNCE, EV_ANSWER, EV_CHANGE_ARRIVE = map(np.int64, range(6))
(EV_DEP_REQ, EV_DEP_DONE, EV_APPROVED, EV_BOARD, EV_WINDOW, EV_CAL,
 EV_MARK) = map(np.int64, range(6, 13))

#: tie order of pre-sorted events at the same instant: the calendar flips first, then
#: change windows open, the warm-up ends, boards sit, and only then work arrives
ORDER = {EV_CAL: 0, EV_WINDOW: 1, EV_MARK: 2, EV_BOARD: 3, EV_ARRIVE: 4, EV_DEP_REQ: 4}

_SHARED: dict[int, tuple] = {}


def shared_events(plan):
    """The events every replication of a plan shares (calendar flips, the end of the
    warm-up, change windows and boards) as arrays (times, order, kind, a, b), built once
    per plan. Both engines put them before the replication's own arrivals, so ties
    between the two keep one order."""
    return once_per(_SHARED, plan, _shared)


class EventColumns:
    """Events gathered as parallel columns (times, order, kind, a, b), a batch at a time."""

    def __init__(self, *start):
        """``start``: columns to begin with (arrays, as ``shared_events`` gives them)."""
        self.columns = [[x] for x in start] if start else [[], [], [], [], []]

    def add(self, times, k, xs, ys) -> None:
        import numpy as np

        n = len(times)
        for column, values in zip(self.columns, (
                np.asarray(times, dtype=float), np.full(n, ORDER[k]), np.full(n, k),
                np.asarray(xs, dtype=np.int64).reshape(n),
                np.asarray(ys, dtype=np.int64).reshape(n)), strict=True):
            column.append(values)

    def arrays(self) -> tuple:
        import numpy as np

        return tuple(np.concatenate(c) for c in self.columns)


def _shared(plan):
    import numpy as np

    from whorunsit.engine.plan.plan import APPROVE_BOARD

    events = EventColumns()
    add = events.add

    flips = plan.week.flips(plan.horizon)
    add([f[0] for f in flips], EV_CAL, range(len(flips)), [0] * len(flips))
    add([plan.warmup], EV_MARK, [0], [0])
    for p in plan.policies:
        if p.windows is not None:
            add([w[0] for w in p.windows], EV_WINDOW, [p.index] * len(p.windows),
                [int(w[1]) for w in p.windows])
        if p.approval == APPROVE_BOARD and p.board_every > 0:
            first = p.board_at % p.board_every
            sittings = np.arange(first, plan.horizon, p.board_every)
            add(sittings, EV_BOARD, [p.index] * len(sittings), [0] * len(sittings))
    return events.arrays()
