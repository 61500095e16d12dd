"""schemathesis over the whole OpenAPI schema of the running service, as a resident and as an
administrator of the demo company: bounded generated requests on every operation, and no answer
may be a 5xx or break its declared schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from http_service import DEMO_ADMIN, DEMO_OWNER, bearer, running_service
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.engine import URL

from estate_core.shared.ids import new_id

EXAMPLES_PER_OPERATION = 8
SKIPPED = {"POST /api/v1/auth/logout"}
"""Logging out would end the session the rest of the run uses; test_http_auth covers it."""


def _exercise(operation: Any, call: Callable[[Any], None]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        call(data.draw(operation.as_strategy()))

    run()


@pytest.mark.parametrize("who", ["resident", "staff"])
def test_no_generated_request_gets_a_server_error_or_an_undeclared_answer(
    sqlite_database: URL, tmp_path: Path, mapped: None, who: str
) -> None:
    with running_service(sqlite_database, tmp_path) as service:
        tenant = new_id()
        service.demo_company(tenant)
        token = (
            service.login_resident(DEMO_OWNER, tenant)
            if who == "resident"
            else service.login_staff(DEMO_ADMIN, tenant)
        )
        schema = schemathesis.openapi.from_url(f"{service.base_url}/schema/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 60

        def call(case: Any) -> None:
            case.call_and_validate(
                base_url=service.base_url,
                headers=bearer(token),
                checks=[not_a_server_error, response_schema_conformance],
            )

        for operation in operations:
            if f"{operation.method.upper()} {operation.path}" not in SKIPPED:
                _exercise(operation, call)
