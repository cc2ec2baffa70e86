"""Schema-first API: each operation declares pydantic models once; spectree validates the request
with them and writes them into /api/openapi.json. Invalid input answers our error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from flask import current_app, request
from pydantic import BaseModel, ValidationError
from spectree import Response, SpecTree
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.utils import get_multidict_items

from app.core.errors import ValidationFailed

INVALID = "Some fields are invalid."
NOT_AN_OBJECT = "Send a JSON object."


class ErrorDetail(BaseModel):
    """The inside of every error answer."""

    code: str
    message: str
    fields: dict[str, str]


class Error(BaseModel):
    """{"error": {"code", "message", "fields": {field: message}}}, the shape of every API error."""

    error: ErrorDetail


_NAMES: dict[str, type] = {}


def model_name(model: type) -> str:
    """A model's component name in the document: its class name, which must be unique in the API."""
    name = getattr(model, "__name__", str(model))
    if _NAMES.setdefault(name, model) is not model:
        raise TypeError(f"two API schemas are named {name}: rename one")
    return name


def _body_is_optional(model: type[BaseModel]) -> bool:
    return not any(field.is_required() for field in model.model_fields.values())


def json_object(model: type[BaseModel] | None = None) -> dict:
    """The request's JSON object; an absent body is {} when `model` requires no field; else a 400."""
    data = request.get_json(silent=True)
    if data is None and model is not None and _body_is_optional(model) and not request.get_data(cache=True):
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(NOT_AN_OBJECT)
    return data


class ApiPlugin(FlaskPlugin):
    """spectree's Flask plugin, reading bodies as the API always has and leaving streams alone.

    Each part is validated before the view runs, and a refusal is kept until the view reads that part
    (body(), args(), form_fields()): a view that loads its object first still answers 404 for a missing
    one, as it did before the schemas, whatever the body holds."""

    def request_validation(self, request, query, json, form, headers, cookies):
        """Validate the query, the JSON object (or the form, its repeated fields as lists where the
        model says so); keep each part's value or its refusal on the request."""
        request.api_refusals = {}
        parts = {"query": None, "json": None, "form": None}
        if query is not None:
            parts["query"] = self._checked("query", query, lambda: get_multidict_items(request.args, query))
        if json is not None:
            parts["json"] = self._checked("json", json, lambda: json_object(json))
        if form is not None and request.mimetype in self.FORM_MIMETYPE:
            fields = lambda: {**get_multidict_items(request.form, form), **request.files.to_dict()}  # noqa: E731
            parts["form"] = self._checked("form", form, fields)
        request.context = Context(parts["query"], parts["json"], parts["form"], None, None)

    def _checked(self, part: str, model, read: Callable[[], Any]):
        try:
            return self.model_adapter.validate_obj(model, read())
        except ValidationFailed as exc:
            request.api_refusals[part] = exc
        except ValidationError as exc:
            request.api_refusals[part] = refusal(exc)
        return None

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        """Streams and files pass untouched; responses are checked where the config asks for it."""
        checking = current_app.config.get("API_VALIDATE_RESPONSES", False)
        if checking and getattr(request, "api_refusals", None):
            raise RuntimeError(f"{request.endpoint} answered without reading its refused {set(request.api_refusals)}")
        payload = resp[0] if isinstance(resp, tuple) else resp
        if isinstance(payload, flask.Response) and (payload.is_streamed or payload.direct_passthrough):
            return resp, None
        return super().validate_response(resp, resp_model, skip_validation or not checking, force_resp_serialize)


def _field(loc: tuple) -> str:
    return str(loc[0]) if loc else "body"


def _message(error: dict) -> str:
    msg = error["msg"].removeprefix("Value error, ")
    inner = ".".join(str(p) for p in error["loc"][1:])  # an item of a list or a nested field
    return f"{inner}: {msg}" if inner else msg


def errors_to_fields(exc: ValidationError) -> dict[str, str]:
    """{field: message} of a pydantic error, the first message per field."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        fields.setdefault(_field(error["loc"]), _message(error))
    return fields


def refusal(exc: ValidationError) -> ValidationFailed:
    """A pydantic error as the API's 400: one message per field."""
    fields = errors_to_fields(exc)
    message = next(iter(fields.values())) if len(fields) == 1 else INVALID
    if len(fields) == 1 and not message.endswith("."):
        message = f"{next(iter(fields))}: {message}."
    return ValidationFailed(message, fields=fields)


def _after(req, resp, resp_validation_error, instance, model_adapter) -> None:
    if resp_validation_error is not None:
        raise RuntimeError(f"the response does not match its schema: {resp_validation_error}")


spec = SpecTree(
    backend=ApiPlugin,
    mode="strict",
    annotations=False,
    after=_after,
    validation_error_status=400,
    validation_error_model=Error,
    naming_strategy=model_name,
    nested_naming_strategy=lambda _parent, child: child,
    title="Coach Connect API",
    version="1.0.0",
)


def operation(
    summary: str,
    *,
    json: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    resp: dict[int, Any] | None = None,
    parameters: list | None = None,
    response_type: str = "application/json",
) -> Callable:
    """Declare an API operation: its request models (validated before the view runs; the view reads
    `request.context.json` / `.query`), its responses by status (a model, list[model] or None), and
    header parameters the view reads itself. A dict instead of a model is the schema of a body that is
    not JSON (a file, an event stream), of `response_type`. Put it under the route and access decorators."""
    codes, raw = {}, {}
    for status, model in (resp or {200: None}).items():
        if isinstance(model, dict):
            raw[str(status)], model = model, None
        codes[f"HTTP_{status}"] = Error if model is None and status >= 400 else model

    def decorator(view: Callable) -> Callable:
        validated = spec.validate(json=json, query=query, form=form, resp=Response(**codes))(view)
        # What the models do not say; app/api/openapi.py adds it to spectree's operation.
        validated.openapi = {
            "summary": summary,
            "parameters": parameters or [],
            "response_type": response_type,
            "bodies": raw,
        }
        return validated

    return decorator


def _part(name: str) -> Any:
    refused = request.api_refusals.pop(name, None)
    if refused is not None:
        raise refused
    return getattr(request.context, name)


def body() -> Any:
    """The validated JSON body of the current request (its refusal, a 400, is raised here)."""
    return _part("json")


def args() -> Any:
    """The validated query of the current request (its refusal, a 400, is raised here)."""
    return _part("query")


def form_fields() -> Any:
    """The validated form of a multipart request (None for another content type; a refusal is raised here)."""
    return _part("form")
