"""The random streams: keyed by replication, purpose and entity (``streams``), the
arrivals, each ticket's draws made up front, and numpy's PCG64 compiled value for value."""
