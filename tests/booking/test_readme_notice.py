"""The README's client-notice default is the code's (issue 16, 11: the README said 12 h, the code 24 h)."""

from __future__ import annotations

import re
from pathlib import Path

from app.coaches.models import CoachProfile

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_states_the_client_notice_default_of_the_code():
    stated = {int(h) for h in re.findall(r"coach's notice \(default (\d+) h", README.read_text(encoding="utf-8"))}
    assert stated, "the README no longer states the client notice default"
    assert stated == {CoachProfile.__table__.c.client_cancel_notice_hours.default.arg}
