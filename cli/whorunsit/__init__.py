"""whorunsit: Monte Carlo scenario analyser for IT operating models."""

__version__ = "0.1.0"
