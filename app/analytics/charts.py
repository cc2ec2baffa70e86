"""Plotly figures, table rows and CSV for a metric's series (pure functions, no Flask)."""

from __future__ import annotations

import io

import plotly.io

from app.analytics.metrics import Metric
from app.core.csv_cells import csv_writer
from app.core.money import to_major

COLORS = ["#1f5f99", "#d9822b", "#2e8540", "#8e44ad", "#c0392b", "#7f8c8d"]
UNIT_LABELS = {"count": "Count", "money": "Amount", "percent": "%", "hours": "Hours"}


def _major(value, unit: str, currency: str):
    """Money is charted in the currency's major units (from its ISO 4217 exponent)."""
    if value is None:
        return None
    return float(to_major(value, currency)) if unit == "money" else value


def figure_json(metric: Metric, series: list[dict]) -> str:
    """The figure as JSON for Plotly.newPlot: a bar trace per currency, or value (+ p90) lines.

    Built as a plain figure dict and serialised by plotly.io without validation: constructing
    graph_objects validates every property and costs tens of milliseconds per chart.
    """
    traces: list[dict] = []
    if metric.unit == "money":
        for currency in sorted({p["currency"] for p in series}):
            points = [p for p in series if p["currency"] == currency]
            traces.append({"type": "bar", "name": currency, "x": [p["period"] for p in points],
                           "y": [_major(p["value"], "money", currency) for p in points]})  # fmt: skip
    else:
        x = [p["period"] for p in series]
        line = {"type": "scatter", "mode": "lines+markers", "x": x}
        traces.append({**line, "name": "median" if metric.unit == "hours" else metric.title,
                       "y": [p["value"] for p in series]})  # fmt: skip
        if "p90" in metric.extra:
            traces.append({**line, "name": "90th percentile", "y": [p.get("p90") for p in series]})
    periods = sorted({p["period"] for p in series})
    xaxis: dict = {"type": "date", "gridcolor": "#eef1f5"}
    if 0 < len(periods) <= 16:  # label each period at its first day (weeks start on Monday)
        xaxis.update(tickmode="array", tickvals=periods, tickformat="%b %d" if len(periods) > 1 else "%Y-%m-%d")
    yaxis = {"title": {"text": UNIT_LABELS[metric.unit]}, "rangemode": "tozero", "gridcolor": "#eef1f5"}
    if metric.unit == "count":
        yaxis["tickformat"] = ",d"
    layout = {
        "margin": {"l": 50, "r": 20, "t": 10, "b": 40},
        "height": 280,
        "showlegend": metric.unit in ("money", "hours"),
        "barmode": "group",
        "xaxis": xaxis,
        "yaxis": yaxis,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": COLORS,
    }
    text = plotly.io.to_json({"data": traces, "layout": layout}, validate=False)
    return text.replace("</", "<\\/")  # safe inside <script type="application/json">


def columns(metric: Metric) -> list[str]:
    """Table and CSV columns: period, then currency if any, value and the metric's extra keys."""
    extra = [k for k in metric.extra if k != "currency"]
    return ["period", *(["currency"] if "currency" in metric.extra else []), "value", *extra]


def to_csv(metric: Metric, series: list[dict]) -> bytes:
    """The series as CSV (money in minor units, as stored)."""
    buf = io.StringIO()
    cols = columns(metric)
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for point in series:
        writer.writerow(["" if point.get(c) is None else point.get(c) for c in cols])
    return buf.getvalue().encode()
