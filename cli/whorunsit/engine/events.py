"""Event kinds of the replication loop (heap events and pre-sorted ones)."""

EV_DONE, EV_JOIN, EV_ARRIVE, EV_BOUNCE, EV_ANSWER, EV_CHANGE_ARRIVE = range(6)
EV_DEP_REQ, EV_DEP_DONE, EV_APPROVED, EV_BOARD, EV_WINDOW, EV_CAL, EV_MARK = range(6, 13)
