"""The service around the API: health and readiness, the OpenAPI document, and the one query
that spans tenants (a login's list of companies) reading its index."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from http_service import DEMO_OWNER, running_service
from persistence_samples import sqlite_url
from query_plans import explain, statements_sent
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy.auth import SqlAccountDirectory
from adapters.persistence.sqlalchemy.migrate import SchemaNotCurrent, alembic_config
from adapters.persistence.sqlalchemy.personal_data import (
    configure_personal_data,
    generate_secret_key,
    personal_data_cipher,
)
from entrypoints.config import Settings
from entrypoints.container import build_container
from estate_core.shared.ids import new_id


def test_a_migrated_database_is_ready_and_the_schema_lists_every_api_route(
    database: URL, tmp_path: Path, mapped: None
) -> None:
    with running_service(database, tmp_path) as service:
        health = service.client.get("/healthz")
        ready = service.client.get("/readyz")
        schema = service.client.get("/schema/openapi.json").json()
        ui = service.client.get("/schema")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert ready.json()["revision"] == head
    assert ready.json()["queue"] == {"depth": 0, "oldestAgeSeconds": 0.0, "deadLetters": 0}
    assert ui.status_code == 200
    assert "text/html" in ui.headers["content-type"]
    paths = set(schema["paths"])
    assert {"/api/v1/auth/codes", "/api/v1/work-orders/{work_order_id}", "/readyz"} <= paths
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_service_refuses_to_start_on_a_database_without_the_schema(
    tmp_path: Path, mapped: None
) -> None:
    """The app composes the core at start-up, and the composition refuses a database that
    `estate db upgrade` has not brought to the latest schema: it never serves half a schema."""
    previous_cipher = personal_data_cipher()
    settings = Settings(
        data_dir=tmp_path,
        database_url=sqlite_url(tmp_path / "empty.db").render_as_string(),
        secret_key=generate_secret_key(),
    )
    try:
        with pytest.raises(SchemaNotCurrent):
            build_container(settings).estate()
    finally:
        configure_personal_data(previous_cipher)


@pytest.mark.parametrize("kind", ["resident", "staff"])
def test_the_companies_of_a_phone_are_found_through_the_phone_index(
    database: URL, tmp_path: Path, mapped: None, kind: str
) -> None:
    with running_service(database, tmp_path) as service:
        service.demo_company(new_id())
        engine = service.container.engine()
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE residents, staff")
        with statements_sent(engine) as sent:
            found = SqlAccountDirectory(engine).accounts(kind, DEMO_OWNER)  # type: ignore[arg-type]
        statement, parameters = next((s, p) for s, p in sent if s.lstrip().startswith("SELECT"))
        plan = explain(engine, statement, parameters, avoid=("enable_seqscan",))
    assert len(found) == (1 if kind == "resident" else 0)
    assert f"ix_{'residents' if kind == 'resident' else 'staff'}_phone_hmac" in plan.indexes
