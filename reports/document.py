"""The shape every report builder returns: a title, headline figures and titled tables with charts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chart:
    """A bar chart: category labels and one or more named series of numbers."""

    title: str
    labels: list[str]
    series: dict[str, list[float]]


@dataclass
class Section:
    """A titled table (and optional chart)."""

    title: str
    columns: list[str]
    rows: list[list]
    chart: Chart | None = None
    note: str = ""
    pdf_rows: list[list] | None = None  # a shorter selection for the PDF (the CSV has every row)


@dataclass
class ReportDocument:
    """A whole report."""

    title: str
    period: str
    generated_at: str
    timezone: str
    headline: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
