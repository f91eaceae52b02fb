"""The Monte Carlo engine: plays replications of a scenario and returns metric values.

``run_replication(scenario, replication_index, seed)`` plays one replication and returns
``(metrics, histogram_counts)``; ``runner`` plays many, in-process or on a worker pool,
with identical results either way. The model's semantics are in docs/model.md.

Both names load on first use: importing a light part of the engine (``cache_location``
for ``whorunsit cache``) must not load numba, scipy and the compiled loop (~0.3 s).
"""

import importlib

_WHERE = {"run_replication": "whorunsit.engine.loop.kernel",
          "plan_for": "whorunsit.engine.plan.plan"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'whorunsit.engine' has no attribute {name!r}")


__all__ = ["plan_for", "run_replication"]
