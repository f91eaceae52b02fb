"""Aggregate replications into estimates with confidence intervals, and compare runs."""
