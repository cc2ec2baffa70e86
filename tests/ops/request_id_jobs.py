"""A job for the tests: returns the request id bound while it runs."""

from app.core.request_id import current_request_id
from workers.context import job


@job
def echo_request_id() -> str | None:
    """The request id the worker bound for this job."""
    return current_request_id()
