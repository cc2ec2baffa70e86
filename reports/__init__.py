"""Report builders: plain data in, PDF and CSV bytes out. No Flask imports here.

Each kind has a module with `build(data: dict) -> ReportDocument`; `render(kind, data)` returns
(pdf_bytes, csv_bytes). The data dictionaries are gathered by app/analytics/report_data.py.
"""

from __future__ import annotations

from reports import finance, moderation, verification
from reports.document import ReportDocument
from reports.render import to_csv, to_pdf

BUILDERS = {"finance": finance.build, "verification": verification.build, "moderation": moderation.build}
KINDS = tuple(BUILDERS)


def render(kind: str, data: dict) -> tuple[bytes, bytes]:
    """The report of this kind as (PDF bytes, CSV bytes)."""
    doc: ReportDocument = BUILDERS[kind](data)
    return to_pdf(doc), to_csv(doc)
