"""Rendering a ReportDocument to PDF (reportlab, charts drawn with reportlab graphics) and CSV."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.csv_cells import csv_writer
from reports.document import Chart, ReportDocument

PALETTE = [colors.HexColor(c) for c in ("#1f5f99", "#d9822b", "#2e8540", "#8e44ad", "#c0392b", "#7f8c8d")]


def _chart(chart: Chart) -> Drawing:
    width, height = 170 * mm, 70 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, chart.title, fontName="Helvetica-Bold", fontSize=9))
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 30, 30, width - 130, height - 50
    data = [tuple(float(v or 0) for v in values) for values in chart.series.values()] or [(0,)]
    bars.data = data
    many = len(chart.labels) > 8
    bars.categoryAxis.categoryNames = chart.labels or [""]
    bars.categoryAxis.labels.fontSize = 6
    bars.categoryAxis.labels.angle = 45 if many else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if many else "n"
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    top = max((max(values) for values in data if values), default=0)
    bars.valueAxis.valueMax = top * 1.15 if top > 0 else 1
    for i in range(len(data)):
        bars.bars[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = width - 90, height - 25
    legend.fontSize = 7
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, name in enumerate(chart.series)]
    drawing.add(legend)
    return drawing


def _table(columns: list[str], rows: list[list]) -> Table:
    if rows:
        body = [columns] + [[str(c) for c in row] for row in rows]
    else:
        body = [columns, ["(none)"] + [""] * (len(columns) - 1)]
    table = Table(body, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8ced6")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def to_pdf(doc: ReportDocument) -> bytes:
    """An A4 PDF: title, headline figures, then each section's chart and table."""
    buf = io.BytesIO()
    styles = getSampleStyleSheet()
    pdf = SimpleDocTemplate(buf, pagesize=A4, title=f"{doc.title} {doc.period}", author="Coach Connect",
                            leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)  # fmt: skip
    story = [
        Paragraph(escape(f"{doc.title} — {doc.period}"), styles["Title"]),
        Paragraph(escape(f"Generated {doc.generated_at} · periods in {doc.timezone}"), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    if doc.headline:
        story += [_table(["Figure", "Value"], [list(pair) for pair in doc.headline]), Spacer(1, 5 * mm)]
    for section in doc.sections:
        story.append(Paragraph(escape(section.title), styles["Heading2"]))
        if section.note:
            story.append(Paragraph(escape(section.note), styles["Italic"]))
        if section.chart is not None:
            story += [_chart(section.chart), Spacer(1, 3 * mm)]
        rows = section.rows if section.pdf_rows is None else section.pdf_rows
        if len(rows) < len(section.rows):
            story.append(Paragraph(escape(f"{len(rows):,} of {len(section.rows):,} rows shown; the CSV lists all."),
                                   styles["Italic"]))  # fmt: skip
        story += [_table(section.columns, rows), Spacer(1, 5 * mm)]
    pdf.build(story)
    return buf.getvalue()


def to_csv(doc: ReportDocument) -> bytes:
    """One CSV: headline figures, then each section as a titled block separated by a blank line."""
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow([doc.title, doc.period])
    for label, value in doc.headline:
        writer.writerow([label, value])
    for section in doc.sections:
        writer.writerow([])
        writer.writerow([section.title])
        writer.writerow(section.columns)
        writer.writerows(section.rows)
    return buf.getvalue().encode()
