"""What a rich report can show after its headline, by name: light enough for the CLI to
check ``--all``/``--section`` before a run without loading rich's tables (a JSON run
never renders them)."""

#: the key table only, or everything; otherwise the sections named (keys of SECTIONS)
KEY, ALL = "key", "all"
#: --section names and the tables they show ("charts" are the histograms)
SECTIONS = {"flow": "Incident flow by team", "incidents": "Per incident",
            "priority": "Time to restore by priority", "oncall": "On-call and cost by team",
            "cost": "Cost per year", "availability": "Availability by application",
            "charts": "histograms"}
