"""CSV injection (issue 21, 7): every CSV the product writes escapes cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from app.accounts.models import Role
from app.core.csv_cells import csv_writer, safe_cell
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import PaidPaymentFactory

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=cmd|'/c calc'!A0@example.org", "+1+1@example.org", "-2+3@example.org", "@SUM(A1)@example.org"]


@pytest.mark.parametrize("value", [*HOSTILE, "\tx@example.org", "\rx@example.org", "=1+1", "-"])
def test_a_cell_that_starts_a_formula_gets_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["ada@example.org", "-12", "-3.50", "+7", 42, -5, None, "", "a=b"])
def test_plain_text_and_numbers_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_the_writer_escapes_every_cell_of_every_row():
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(["=A1", "ok"])
    writer.writerows([["@x", -1], ["+y", "z"]])
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [["'=A1", "ok"], ["'@x", "-1"], ["'+y", "z"]]


def test_the_finance_export_writes_no_formula_cell(client, login_as):
    for email in HOSTILE:
        PaidPaymentFactory(booking__client=UserFactory(email=email))
    login_as(StaffFactory(roles=[Role.FINANCE]))
    resp = client.get("/staff/finance/export.csv")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    emails = [row[rows[0].index("client_email")] for row in rows[1:]]
    assert sorted(emails) == sorted("'" + e for e in HOSTILE)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or re.match(r"-\D", c)]


def test_every_csv_the_product_writes_goes_through_the_one_helper():
    writers = []
    for folder in ("app", "reports", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if re.search(r"csv\.(writer|DictWriter)\(", text) and path.name != "csv_cells.py":
                writers.append(str(path.relative_to(ROOT)))
    assert not writers, f"CSV written without app.core.csv_cells.csv_writer: {writers}"
