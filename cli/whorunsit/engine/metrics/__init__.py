"""A replication's metrics from its counters (``tally.finish``, shared by every engine)."""
