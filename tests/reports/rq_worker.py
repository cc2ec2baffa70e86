"""A burst rq worker of the reports queue in its own process, on the test app's database and files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def reports_worker(app, redis_url: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of a burst worker of the `reports` queue; run it with cwd=ROOT."""
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    rq = str(Path(sys.executable).parent / "rq")
    return [rq, "worker", "--burst", "--url", redis_url, "reports"], env
