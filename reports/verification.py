"""Monthly verification report: applications, decisions, time to decision, reviewers' workload."""

from __future__ import annotations

from reports.document import Chart, ReportDocument, Section
from reports.durations import fmt_hours


def build(data: dict) -> ReportDocument:
    """data: period, timezone, generated_at, received, approved, rejected, info_requested, waiting,
    median_hours, p90_hours, reviewers[{reviewer, approved, rejected}], levels[{level, received}]."""
    doc = ReportDocument("Verification report", data["period"], data["generated_at"], data["timezone"])
    decided = data["approved"] + data["rejected"]
    rate = f"{100 * data['approved'] / decided:.1f} %" if decided else "–"
    doc.headline = [
        ("Applications received", str(data["received"])),
        ("Approved", str(data["approved"])),
        ("Rejected", str(data["rejected"])),
        ("Approval rate", rate),
        ("Information requested (now waiting on applicant)", str(data["info_requested"])),
        ("Waiting for a decision at month end", str(data["waiting"])),
        ("Time to decision, median", fmt_hours(data["median_hours"])),
        ("Time to decision, 90th percentile", fmt_hours(data["p90_hours"])),
    ]
    reviewers = data["reviewers"]
    doc.sections.append(
        Section(
            "Reviewers' workload",
            ["Reviewer", "Approved", "Rejected", "Total"],
            [[r["reviewer"], r["approved"], r["rejected"], r["approved"] + r["rejected"]] for r in reviewers],
            chart=Chart(
                "Decisions per reviewer",
                [r["reviewer"][:18] for r in reviewers],
                {"approved": [r["approved"] for r in reviewers], "rejected": [r["rejected"] for r in reviewers]},
            )
            if reviewers
            else None,
        )
    )
    doc.sections.append(
        Section(
            "Applications by certification level",
            ["Level", "Received"],
            [[lv["level"], lv["received"]] for lv in data["levels"]],
        )
    )
    return doc
