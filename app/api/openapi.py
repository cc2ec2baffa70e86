"""The OpenAPI 3.1 document at /api/openapi.json, built from the URL map and each route's doc."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app, jsonify

from app.api import bp
from app.core.ids import MAX_ID
from app.core.security import public

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
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


def build_spec() -> dict:
    """The whole document for the current app."""
    paths: dict = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if doc is None:
            continue
        path, path_params = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": doc["summary"],
                "parameters": path_params + doc["parameters"],
                "responses": {},
            }
            if getattr(view, "access", None) != "public":
                op["security"] = [{"bearer": []}, {"session": []}]
            if doc["request"] is not None:
                op["requestBody"] = {"required": True, "content": {doc["content_type"]: {"schema": doc["request"]}}}
            for status, schema in doc["responses"].items():
                body = {"description": "OK" if str(status).startswith("2") else "Error"}
                if schema is not None:
                    kind = doc["response_type"] if str(status).startswith("2") else "application/json"
                    body["content"] = {kind: {"schema": schema}}
                op["responses"][str(status)] = body
            for status, text in STANDARD_ERRORS.items():
                op["responses"].setdefault(
                    status,
                    {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Coach Connect API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
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
            },
        },
    }


@bp.get("/openapi.json")
@document("This document", responses={"200": {"type": "object"}})
@public
def openapi_json():
    """The OpenAPI 3.1 description of every /api route."""
    return jsonify(build_spec())
