"""Plotly figures, table rows and CSV for a metric's series (pure functions, no Flask)."""

from __future__ import annotations

import csv
import io

import plotly.graph_objects as go

from app.analytics.metrics import Metric

UNIT_LABELS = {"count": "Count", "money": "Amount", "percent": "%", "hours": "Hours"}


def _major(value, unit: str):
    """Money is charted in major units (cents / 100)."""
    if value is None:
        return None
    return value / 100 if unit == "money" else value


def figure_json(metric: Metric, series: list[dict]) -> str:
    """The figure as JSON for Plotly.newPlot: a trace per currency, or value (+ p90) lines."""
    fig = go.Figure()
    if metric.unit == "money":
        for currency in sorted({p["currency"] for p in series}):
            points = [p for p in series if p["currency"] == currency]
            fig.add_bar(x=[p["period"] for p in points], y=[_major(p["value"], "money") for p in points], name=currency)
        fig.update_layout(barmode="group")
    else:
        x = [p["period"] for p in series]
        name = "median" if metric.unit == "hours" else metric.title
        mode = "lines+markers"
        fig.add_scatter(x=x, y=[p["value"] for p in series], name=name, mode=mode, connectgaps=False)
        if "p90" in metric.extra:
            fig.add_scatter(x=x, y=[p.get("p90") for p in series], name="90th percentile", mode=mode)
    periods = sorted({p["period"] for p in series})
    xaxis: dict = {"type": "date"}
    if 0 < len(periods) <= 16:  # label each period at its first day (weeks start on Monday)
        xaxis.update(tickmode="array", tickvals=periods, tickformat="%b %d" if len(periods) > 1 else "%Y-%m-%d")
    fig.update_layout(
        margin={"l": 50, "r": 20, "t": 10, "b": 40},
        height=280,
        showlegend=metric.unit in ("money", "hours"),
        yaxis={
            "title": {"text": UNIT_LABELS[metric.unit]},
            "rangemode": "tozero",
            **({"tickformat": ",d"} if metric.unit == "count" else {}),
        },
        xaxis=xaxis,
        template="plotly_white",
    )
    return fig.to_json().replace("</", "<\\/")  # safe inside <script type="application/json">


def columns(metric: Metric) -> list[str]:
    """Table and CSV columns: period, then currency if any, value and the metric's extra keys."""
    extra = [k for k in metric.extra if k != "currency"]
    return ["period", *(["currency"] if "currency" in metric.extra else []), "value", *extra]


def to_csv(metric: Metric, series: list[dict]) -> bytes:
    """The series as CSV (money in minor units, as stored)."""
    buf = io.StringIO()
    cols = columns(metric)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for point in series:
        writer.writerow(["" if point.get(c) is None else point.get(c) for c in cols])
    return buf.getvalue().encode()
