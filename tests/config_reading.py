"""The environment variables config.py reads, found by parsing it (for the compose and make-run tests)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_READERS = {"_env", "_env_int", "_env_bool", "_env_ints", "_env_list", "getenv", "get"}


def config_variables() -> set[str]:
    """Every environment variable config.py reads (through _env*, os.environ.get or os.getenv)."""
    names = set()
    for node in ast.walk(ast.parse((ROOT / "config.py").read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            value = node.args[0].value
            if name in ENV_READERS and isinstance(value, str) and value.isupper():
                names.add(value)
    return names
