"""app/core stays at the bottom: it imports nothing from a domain package or from workers/."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "app" / "core"
ALLOWED_BELOW = ("app.core", "app.extensions")

# What is still being moved out, as (file, module). Shrink only: helper "hostile" moves the rq
# worker's app context into the jobs adapter, after which this list is empty.
STILL_MOVING = {("jobs.py", "workers.context")}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "app":
                found.update(f"app.{alias.name}" for alias in node.names)
    return found


def _is_upward(module: str) -> bool:
    if module == "workers" or module.startswith("workers."):
        return True
    if module == "app" or not module.startswith("app."):
        return False
    return not any(module == below or module.startswith(below + ".") for below in ALLOWED_BELOW)


def _upward_imports() -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(CORE)), module)
        for path in sorted(CORE.rglob("*.py"))
        for module in _imports(path)
        if _is_upward(module)
    }


def test_core_imports_no_domain_and_no_worker():
    upward = _upward_imports() - STILL_MOVING
    assert not upward, f"app/core imports upward (move the code down or let the domain register it): {upward}"


def test_the_still_moving_list_only_names_imports_that_still_exist():
    stale = STILL_MOVING - _upward_imports()
    assert not stale, f"these imports are gone: remove them from STILL_MOVING in {__file__}: {stale}"


def test_the_walk_sees_function_level_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from app.payments.gateways import x\n    import workers.mail\n")
    assert {m for m in _imports(sample) if _is_upward(m)} == {"app.payments.gateways", "workers.mail"}
