"""The lock files pin the whole tree, agree with what requirements*.txt ask for, and are what is installed.

`make run` installs requirements.lock and `make test` tests/requirements.lock (`make lock` compiles
both with uv). A pin changed in requirements.txt without `make lock` fails here, naming the package.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (extras and comments dropped)."""
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[_name(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize(
    ("asked", "locked"),
    [("requirements.txt", "requirements.lock"), ("tests/requirements.txt", "tests/requirements.lock")],
)
def test_every_pin_asked_for_is_locked_at_that_version(asked, locked):
    lock = pins(ROOT / locked)
    wanted = pins(ROOT / asked)
    if asked.startswith("tests/"):
        wanted |= pins(ROOT / "requirements.txt")
    differ = {name: (version, lock.get(name)) for name, version in wanted.items() if lock.get(name) != version}
    assert differ == {}, f"run `make lock`: asked for vs locked {differ}"


def test_the_test_lock_keeps_the_runtime_locks_versions():
    runtime, tests = pins(ROOT / "requirements.lock"), pins(ROOT / "tests/requirements.lock")
    assert {n: (v, tests.get(n)) for n, v in runtime.items() if tests.get(n) != v} == {}


def _applies_here(path: Path) -> set[str]:
    """The locked names whose environment marker (if any) holds for this interpreter."""
    from packaging.markers import Marker

    names = set()
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match and (";" not in line or Marker(line.split(";", 1)[1].strip()).evaluate()):
            names.add(_name(match.group(1)))
    return names


def test_the_installed_packages_are_the_locked_ones():
    installed = {_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    here = _applies_here(ROOT / "tests/requirements.lock")
    lock = {n: v for n, v in pins(ROOT / "tests/requirements.lock").items() if n in here}
    assert {n: (v, installed.get(n)) for n, v in lock.items() if installed.get(n) != v} == {}
