"""The Monte Carlo engine: plays replications of a scenario and returns metric values.

``run_replication(scenario, replication_index, seed)`` plays one replication and returns
``(metrics, histogram_counts)``; ``runner`` plays many, in-process or on a worker pool,
with identical results either way. The model's semantics are in docs/model.md.
"""

from whorunsit.engine.loop.kernel import run_replication
from whorunsit.engine.plan.plan import plan_for

__all__ = ["plan_for", "run_replication"]
