"""The OpenAPI 3.1 document at /api/openapi.json: spectree's, from the models each operation declares."""

from __future__ import annotations

import copy
import re
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
    for status, schema in doc["bodies"].items():
        op["responses"][status]["content"] = {doc["response_type"]: {"schema": schema}}
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
        if spec.get_function_metadata(view) is None:
            continue  # undeclared: tests/api/test_openapi.py names it
        path, path_params = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = _declared_operation(view, generated["paths"][path][method.lower()])
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
