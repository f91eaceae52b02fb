"""A small synthetic event log in the shape of the BPI Challenge incident logs: one row
per event (case id, time stamp, activity, the group holding the case), tiers in the
group names, drawn from known parameters so a fit can be checked against them."""

from __future__ import annotations

import csv
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

#: the truth the log is drawn from
TRUTH = {
    "per_week": 120.0,
    "resolve": (0.5, 0.6),        # L1, L2 (L3 resolves the rest)
    "misroute": (0.1, 0.0),       # L1 sends a share to a wrong team first
    "hold_share": 0.2,
    "hold_median": 24.0,
    "hold_p95": 120.0,
    "priorities": (0.05, 0.15, 0.6, 0.2),
}
GROUPS = ("Service Desk 1st line", "Application Support 2nd line", "Development L3")
WRONG = "Network Team 2nd line"
START = datetime(2024, 1, 1)  # a Monday
HEADER = ("Incident ID", "DateStamp", "IncidentActivity_Type", "Assignment Group", "Priority")
COLUMNS = ["id=Incident ID", "opened=DateStamp", "status=IncidentActivity_Type",
           "group=Assignment Group", "priority=Priority", "resolved=", "reassignments=",
           "time="]


def write(path: Path, weeks: int = 6, seed: int = 7, status: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    n = rng.poisson(TRUTH["per_week"] * weeks)
    opened = np.sort(rng.uniform(0, weeks * 168.0, n))
    sigma = math.log(TRUTH["hold_p95"] / TRUTH["hold_median"]) / 1.6448536269514722
    rows = []
    for i, t0 in enumerate(opened.tolist()):
        case = f"IM{i:07d}"
        prio = int(rng.choice(4, p=TRUTH["priorities"])) + 1
        t = t0
        events = [(t, "Open", GROUPS[0])]
        if rng.random() < TRUTH["hold_share"]:
            events.append((t + 0.1, "Wait - User", GROUPS[0]))
            t += 0.1 + float(np.exp(math.log(TRUTH["hold_median"]) + sigma * rng.normal()))
            events.append((t, "Update from customer", GROUPS[0]))
        tier = 0
        while True:
            t += float(rng.exponential(1.0))
            u = rng.random()
            if tier == 2 or u < TRUTH["resolve"][tier]:
                events.append((t, "Resolved", GROUPS[tier]))
                events.append((t + 24.0, "Closed", GROUPS[tier]))
                break
            if u < TRUTH["resolve"][tier] + TRUTH["misroute"][tier]:
                events.append((t, "Reassignment", WRONG))
                t += float(rng.exponential(0.5))
                events.append((t, "Reassignment", GROUPS[tier]))
                t += 0.2
            tier += 1
            events.append((t, "Reassignment", GROUPS[tier]))
        for when, what, group in events:
            stamp = (START + timedelta(hours=when)).strftime("%d-%m-%Y %H:%M:%S")
            rows.append((case, stamp, what if status else "", group, f"{prio}"))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER if status else HEADER[:2] + ("Note",) + HEADER[3:])
        w.writerows(rows)
    return path
