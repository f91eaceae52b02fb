"""An independent, naive simulator of docs/model.md that the tests hold the engine to
(tests/test_naive_oracle.py). Read ``organisation`` (the scenario) then ``simulator``."""

from naive.simulator import Simulation, simulate

__all__ = ["Simulation", "simulate"]
