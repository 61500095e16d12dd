"""``/healthz`` (the process answers) and ``/readyz`` (the database answers, at the latest
migration): what a load balancer and an orchestrator ask before sending traffic."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.migrate import alembic_config
from entrypoints.http.errors import problem


class Health(msgspec.Struct, rename="camel", omit_defaults=True):
    status: str
    database: str | None = None
    revision: str | None = None


@get("/healthz", tags=["health"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    tags=["health"],
    summary="The database is reachable and at the latest schema",
    sync_to_thread=True,
)
def readyz(engine: NamedDependency[Engine]) -> Response[Any]:
    head = ScriptDirectory.from_config(alembic_config(engine.url)).get_current_head()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError:
        return problem(503, "database.unreachable", "the database does not answer")
    if current != head:
        return problem(
            503,
            "database.not_migrated",
            f"the database is at {current}, not {head}: run `estate db upgrade`",
        )
    return Response(Health(status="ok", database="reachable", revision=current))
