"""Monthly finance report: volume, refunds and net per currency, per-coach payouts due, disputes."""

from __future__ import annotations

from app.core.money import format_money, plain, to_major
from reports.document import Chart, ReportDocument, Section

# A month's payouts can list every active coach (10,000 at scale, 8 s to lay out as PDF pages): the
# PDF shows the largest ones of each currency, the CSV all of them.
PDF_PAYOUTS_PER_CURRENCY = 50


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
    payouts = sorted(data["payouts"], key=lambda p: (p["currency"], -p["payout"], p["coach_id"]))  # largest first
    rows = [
        [p["coach"], p["coach_id"], p["currency"], plain(p["gross"], p["currency"]), plain(p["refunds"], p["currency"]),
         plain(p["fees"], p["currency"]), plain(p["payout"], p["currency"])]
        for p in payouts
    ]  # fmt: skip
    doc.sections.append(
        Section(
            "Payouts due per coach",
            ["Coach", "Coach id", "Currency", "Gross", "Refunds", "Fees", "Payout due"],
            rows,
            note="Payout due = payments received in the month, less refunds made in the month and platform fees; "
            "the largest first in each currency.",
            pdf_rows=_largest_per_currency(rows, PDF_PAYOUTS_PER_CURRENCY),
        )
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


def _largest_per_currency(rows: list[list], n: int) -> list[list]:
    """The first n rows of each currency (rows sorted by currency, largest payout first)."""
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        seen[row[2]] = seen.get(row[2], 0) + 1
        if seen[row[2]] <= n:
            kept.append(row)
    return kept
