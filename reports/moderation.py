"""Monthly moderation (transparency) report: flags by reason, actions, time to action, suspensions."""

from __future__ import annotations

from reports.document import Chart, ReportDocument, Section
from reports.durations import fmt_hours


def build(data: dict) -> ReportDocument:
    """data: period, timezone, generated_at, flags_by_reason[{reason, count}], actions[{action, count}],
    items_decided, median_hours, p90_hours, suspensions, bans, upheld, dismissed."""
    doc = ReportDocument("Moderation transparency report", data["period"], data["generated_at"], data["timezone"])
    flags_total = sum(f["count"] for f in data["flags_by_reason"])
    resolved = data["upheld"] + data["dismissed"]
    doc.headline = [
        ("Flags received", str(flags_total)),
        ("Items decided", str(data["items_decided"])),
        ("Flags upheld", f"{data['upheld']} of {resolved}" if resolved else "–"),
        ("Time to action, median", fmt_hours(data["median_hours"])),
        ("Time to action, 90th percentile", fmt_hours(data["p90_hours"])),
        ("Suspensions", str(data["suspensions"])),
        ("Bans", str(data["bans"])),
    ]
    flags = data["flags_by_reason"]
    doc.sections.append(
        Section(
            "Flags received by reason",
            ["Reason", "Flags"],
            [[f["reason"], f["count"]] for f in flags],
            chart=Chart("Flags by reason", [f["reason"] for f in flags], {"flags": [f["count"] for f in flags]})
            if flags
            else None,
        )
    )
    doc.sections.append(
        Section("Actions taken", ["Action", "Count"], [[a["action"], a["count"]] for a in data["actions"]])
    )
    return doc
