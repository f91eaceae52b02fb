"""A one-paragraph description of a loaded scenario, for ``whorunsit validate``."""

from __future__ import annotations

from whorunsit.model import Scenario
from whorunsit.scenario.units import format_duration


def _n(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def describe(s: Scenario) -> str:
    tiers = sum(len(p.tiers) for p in s.support_paths)
    parts = [
        _n(len(s.teams), "team"),
        _n(len(s.applications), "application"),
        _n(len(s.support_paths), "support path") + f" ({_n(tiers, 'tier')})",
        _n(len(s.rotas), "rota"),
        _n(len(s.deployment_policies), "deployment policy", "deployment policies"),
    ]
    if s.policies:
        parts.append(_n(len(s.policies), "routing policy", "routing policies"))
    if s.gates:
        parts.append(_n(len(s.gates), "gate"))
    run = f"{format_duration(s.horizon)} horizon x {s.replications:,} replications"
    if s.warmup:
        run += f" (warm-up {format_duration(s.warmup)})"
    return f"{s.name}: {', '.join(parts)}; {run}, seed {s.seed}"
