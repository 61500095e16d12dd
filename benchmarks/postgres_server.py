"""A throwaway PostgreSQL 15 server for a benchmark, started as the integration tests start theirs.

``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port with the tests'
settings (``fsync=off``, ``synchronous_commit=off``, ``full_page_writes=off``: the benchmarks
compare against a floor on the same server, so durability settings cancel out), one database,
``pg_ctl stop -m fast`` and the directory removed at the end. Under root the binaries run as the
``postgres`` user, as PostgreSQL refuses root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

PG_BIN = Path(os.environ.get("ESTATE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
PG_HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((PG_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str]) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", PG_USER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def postgresql_server(dbname: str = "bench") -> Iterator[URL]:
    """The URL of database ``dbname`` on a new server, which lives for the ``with`` block."""
    if not (PG_BIN / "pg_ctl").exists():
        raise SystemExit(f"PostgreSQL 15 binaries not found in {PG_BIN} (set ESTATE_PG_BIN)")
    base = Path(tempfile.mkdtemp(prefix="estate-bench-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(PG_USER)
        os.chown(base, account.pw_uid, account.pw_gid)
    data, port, pg_ctl = base / "data", _free_port(), str(PG_BIN / "pg_ctl")
    options = (
        f"-k {base} -p {port} -c listen_addresses={PG_HOST} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    started = False
    try:
        _run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                PG_USER,
                "-E",
                "UTF8",
                "-N",
            ]
        )
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"])
        started = True
        _run([str(PG_BIN / "createdb"), "-h", PG_HOST, "-p", str(port), "-U", PG_USER, dbname])
        yield URL.create(
            "postgresql+psycopg", username=PG_USER, host=PG_HOST, port=port, database=dbname
        )
    finally:
        if started:
            _run([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)
