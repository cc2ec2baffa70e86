"""Log output: one JSON object per line (production) or readable text (development, tests).

Every record carries the bound request id; the per-request line adds user, route, status,
duration and bytes as fields of the same object.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from app.core.request_id import current_request_id

# Attributes every LogRecord has; anything else passed with `extra=` is a field of the line.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "coach-connect"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id bound to the current request or job."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """A JSON object per record: time, level, logger, message, request id and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal, the request id in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Install one stderr handler on the root logger (idempotent: apps built twice add none)."""
    root = logging.getLogger()
    root.setLevel(level)
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
