"""Service errors, turned into flash messages by views and into JSON errors by the API."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a service raises; carries an HTTP status and a machine code."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    """Input failed validation; `fields` names each bad field."""

    status = 400
    code = "validation_failed"


class PermissionDenied(ServiceError):
    """The actor lacks the role or the relation to the object."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """The object does not exist or is not visible to the actor."""

    status = 404
    code = "not_found"


class InvalidState(ServiceError):
    """The object's state does not allow this change."""

    status = 409
    code = "invalid_state"


class Conflict(ServiceError):
    """Someone else changed or holds the object; retrying will not help as is."""

    status = 409
    code = "conflict"


class Unprocessable(ServiceError):
    """Well-formed input that cannot be processed (e.g. a corrupt upload)."""

    status = 422
    code = "unprocessable"


class RateLimited(ServiceError):
    """Too many attempts; `retry_after` seconds until the next may succeed."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
