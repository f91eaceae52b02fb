"""The organisation as plain, typed objects: what the engine simulates.

Everything here is already validated and in internal units: time in hours, rates per
hour, shares in 0..1, money in the scenario's currency. Defaults are applied by the
scenario loader, once; nothing in this package reads YAML.
"""

from whorunsit.model.calendar import Calendar
from whorunsit.model.distributions import Distribution
from whorunsit.model.organisation import (
    BestEndeavours,
    Funding,
    OutOfHours,
    PayRules,
    Rota,
    RotaCover,
    Team,
    TeamKind,
)
from whorunsit.model.scenario import (
    Application,
    Approval,
    DeploymentPolicy,
    Detection,
    ErrorBudgetPolicy,
    GateSpec,
    OnHold,
    Scenario,
    SupportPath,
    Tier,
    Window,
)

__all__ = [
    "Application",
    "Approval",
    "BestEndeavours",
    "Calendar",
    "DeploymentPolicy",
    "Detection",
    "Distribution",
    "ErrorBudgetPolicy",
    "Funding",
    "GateSpec",
    "OnHold",
    "OutOfHours",
    "PayRules",
    "Rota",
    "RotaCover",
    "Scenario",
    "SupportPath",
    "Team",
    "TeamKind",
    "Tier",
    "Window",
]
