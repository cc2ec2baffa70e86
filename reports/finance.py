"""Monthly finance report: volume, refunds and net per currency, per-coach payouts due, disputes."""

from __future__ import annotations

from app.core.money import format_money, plain, to_major
from reports.document import Chart, ReportDocument, Section


def build(data: dict) -> ReportDocument:
    """data: period, timezone, generated_at, totals[], daily[], payouts[], disputes[] (amounts in minor units)."""
    doc = ReportDocument("Finance report", data["period"], data["generated_at"], data["timezone"])
    for t in data["totals"]:
        cur = t["currency"]
        doc.headline += [
            (f"Gross volume {cur}", format_money(t["gross"], cur)),
            (f"Refunds {cur}", format_money(t["refunds"], cur)),
            (f"Net revenue {cur}", format_money(t["net"], cur)),
        ]
    if not data["totals"]:
        doc.headline.append(("Payments", "No payments in this month"))
    days = sorted({d["day"] for d in data["daily"]})
    currencies = sorted({d["currency"] for d in data["daily"]})
    by_key = {(d["day"], d["currency"]): float(to_major(d["gross"], d["currency"])) for d in data["daily"]}
    chart = Chart(
        "Gross volume per day (major units)",
        [d[5:] for d in days],
        {c: [by_key.get((d, c), 0) for d in days] for c in currencies},
    )
    doc.sections.append(
        Section(
            "Volume, refunds and net per currency",
            ["Currency", "Payments", "Gross", "Refunds", "Refund count", "Fees", "Net"],
            [
                [
                    t["currency"],
                    t["payments"],
                    plain(t["gross"], t["currency"]),
                    plain(t["refunds"], t["currency"]),
                    t["refund_count"],
                    plain(t["fees"], t["currency"]),
                    plain(t["net"], t["currency"]),
                ]
                for t in data["totals"]
            ],
            chart=chart if days else None,
        )  # fmt: skip
    )
    doc.sections.append(
        Section(
            "Payouts due per coach",
            ["Coach", "Coach id", "Currency", "Gross", "Refunds", "Fees", "Payout due"],
            [
                [
                    p["coach"],
                    p["coach_id"],
                    p["currency"],
                    plain(p["gross"], p["currency"]),
                    plain(p["refunds"], p["currency"]),
                    plain(p["fees"], p["currency"]),
                    plain(p["payout"], p["currency"]),
                ]
                for p in data["payouts"]
            ],
            note="Payout due = payments received in the month, less refunds made in the month and platform fees.",
        )  # fmt: skip
    )
    doc.sections.append(
        Section(
            "Disputes",
            ["Payment", "Coach", "Amount", "Currency", "Paid at"],
            [
                [d["payment_id"], d["coach"], plain(d["amount"], d["currency"]), d["currency"], d["paid_at"]]
                for d in data["disputes"]
            ],
        )  # fmt: skip
    )
    return doc
