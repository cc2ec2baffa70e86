"""A private PostgreSQL cluster for the failure drills: initdb in a temporary folder, on a free
port, stopped and started by the test (never the machine's shared server on 5432)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        pytest.fail("PostgreSQL server binaries are missing; run `make services`", pytrace=False)
    return versions[-1].parent


def _as_owner() -> dict:
    """Run the server as `postgres` when the suite runs as root (PostgreSQL refuses root)."""
    return {"user": "postgres", "group": "postgres"} if os.getuid() == 0 else {}


@dataclass
class Cluster:
    """A stopped-or-running cluster: its data folder, port and URL."""

    data: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        """SQLAlchemy URL of its `postgres` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args],
            check=True,
            capture_output=True,
            timeout=60,
            **_as_owner(),
        )

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as in a crash of the database host."""
        self._ctl("-m", "fast", "stop")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Cluster]:
    """initdb + start in a fresh folder the server's user can reach; always stopped and removed."""
    tmp = Path(tempfile.mkdtemp(prefix="cc-drill-pg-"))
    data = tmp / "pgdata"
    data.mkdir()
    if os.getuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
        os.chown(data, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(data, free_port(), _pg_bin())
    subprocess.run(
        [str(cluster.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=120,
        **_as_owner(),
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
