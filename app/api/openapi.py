"""The OpenAPI 3.1 document at /api/openapi.json, built from the URL map and each route's doc."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from flask import current_app, jsonify
from pydantic import RootModel

from app.api import bp
from app.api.spec import Error, operation, spec
from app.core.ids import MAX_ID
from app.core.security import public

ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "Personal access token (flask users token, or Settings)",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "Browser session; unsafe methods also need X-CSRFToken",
    },
}
STANDARD_ERRORS = {
    "400": "Validation failed",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found",
    "409": "Conflict",
    "413": "Upload too large",
    "422": "Unprocessable",
    "429": "Too many requests",
}


def document(
    summary: str,
    *,
    request: dict | None = None,
    responses: dict | None = None,
    parameters: list | None = None,
    content_type: str = "application/json",
    response_type: str = "application/json",
) -> Callable:
    """Attach an OpenAPI operation to a view; `responses` maps status to a schema of `response_type`
    (JSON unless told, e.g. text/event-stream) or None; errors stay JSON."""

    def decorator(view: Callable) -> Callable:
        view.openapi = {
            "summary": summary,
            "request": request,
            "responses": responses or {"200": {"type": "object"}},
            "parameters": parameters or [],
            "content_type": content_type,
            "response_type": response_type,
        }
        return view

    return decorator


_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <name>, <int:name>, <string(length=2):name>
_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match):
        converter, name = match.group(1) or "string", match.group(2)
        schema = dict(_SCHEMAS.get(converter, {"type": "string"}))
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _CONVERTER.sub(repl, rule), params


def _legacy_operation(rule, method: str, doc: dict) -> dict:
    op = {"summary": doc["summary"], "parameters": list(doc["parameters"]), "responses": {}}
    if doc["request"] is not None:
        op["requestBody"] = {"required": True, "content": {doc["content_type"]: {"schema": doc["request"]}}}
    for status, schema in doc["responses"].items():
        body = {"description": "OK" if str(status).startswith("2") else "Error"}
        if schema is not None:
            kind = doc["response_type"] if str(status).startswith("2") else "application/json"
            body["content"] = {kind: {"schema": schema}}
        op["responses"][str(status)] = body
    return op


def _declared_operation(view, generated: dict) -> dict:
    """spectree's operation, with our summary, header parameters and response media type."""
    op = copy.deepcopy(generated)
    doc = view.openapi
    op["summary"] = doc["summary"]
    op.pop("tags", None)
    op["parameters"] = [p for p in op.get("parameters", []) if p["in"] != "path"] + doc["parameters"]
    for status, body in op["responses"].items():
        if status.startswith("2") and doc["response_type"] != "application/json" and "content" in body:
            body["content"] = {doc["response_type"]: body["content"]["application/json"]}
    return op


def _error_schemas() -> dict:
    schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"Error": schema, **schema.pop("$defs")}


def build_spec() -> dict:
    """The whole document for the current app: spectree's from the declared models, plus the
    app-wide facts (bounded path ids, who may call, the standard errors, operation ids)."""
    generated = spec.spec
    paths: dict = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        declared = spec.get_function_metadata(view) is not None
        doc = getattr(view, "openapi", None)
        if not declared and doc is None:
            continue
        path, path_params = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if declared:
                op = _declared_operation(view, generated["paths"][path][method.lower()])
            else:
                op = _legacy_operation(rule, method, doc)
            op["operationId"] = f"{rule.endpoint}_{method.lower()}"
            op["parameters"] = path_params + op["parameters"]
            if getattr(view, "access", None) != "public":
                op["security"] = [{"bearer": []}, {"session": []}]
            for status, text in STANDARD_ERRORS.items():
                op["responses"].setdefault(status, {"description": text, "content": ERROR_CONTENT})
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Coach Connect API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {**copy.deepcopy(generated["components"]["schemas"]), **_error_schemas()},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


class OpenAPIDocument(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 document."""


@bp.get("/openapi.json")
@public
@operation("This document", resp={200: OpenAPIDocument})
def openapi_json():
    """The OpenAPI 3.1 description of every /api route."""
    return jsonify(build_spec())
