"""The service tables hold their rules themselves, whoever writes to them.

- A case is closed once and a complaint reopened once even by a writer that skips the
  aggregate (and its version check): partial unique indexes on the timelines refuse the second,
  with the code the domain would have given.
- CHECK constraints refuse rows no state machine can reach, each by the rule it breaks; the
  migration's hand-written CHECKs say what the models say.

Which index serves which query is checked in ``test_service_query_plans.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from service_samples import AT, add_home, closed_by_rating, completed, replied, report, submit
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine
from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.tables.service import (
    complaint_replies,
    complaint_timeline,
    complaints,
    work_order_timeline,
    work_orders,
)
from estate_core.service.complaint import ComplaintStatus
from estate_core.service.workorder_states import WorkOrderStatus
from estate_core.shared.errors import Conflict
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

MakeUow = Callable[[UUID], SqlAlchemyUnitOfWork]

SERVICE_TABLES = [
    work_orders,
    work_order_timeline,
    complaints,
    complaint_replies,
    complaint_timeline,
]


def _bare(condition: str) -> str:
    return re.sub(r"[\s()]+", " ", condition).strip()


def test_the_migration_s_checks_say_what_the_models_say(sqlite_database: URL) -> None:
    """Alembic compares CHECK constraints by nothing; SQLite keeps their text as written."""
    engine = make_engine(sqlite_database)
    try:
        inspector = sa.inspect(engine)
        for table in SERVICE_TABLES:
            stored = {
                check["name"]: _bare(check["sqltext"])
                for check in inspector.get_check_constraints(table.name)
            }
            modelled = {
                str(check.name): _bare(
                    str(
                        check.sqltext.compile(
                            dialect=sqlite.dialect(),
                            compile_kwargs={"literal_binds": True, "include_table": False},
                        )
                    )
                )
                for check in table.constraints
                if isinstance(check, sa.CheckConstraint)
            }
            assert stored == modelled, table.name
    finally:
        engine.dispose()


def _timeline_row(
    parent_id: str, case_id: UUID, tenant_id: UUID, position: int, action: str
) -> Any:
    return {
        "tenant_id": tenant_id,
        parent_id: case_id,
        "position": position,
        "at": AT,
        "action": action,
        "status": "closed" if action != "reopen" else "accepted",
        "actor_kind": "system",
        "actor_id": None,
        "actor_job": "rogue",
        "note": "",
    }


def test_an_order_is_closed_once_even_by_a_writer_that_skips_the_version(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    home = add_home(make_uow, tenant_id)
    order = closed_by_rating(report(home), AT)
    with make_uow(tenant_id) as uow:
        uow.work_orders.add(order)
        uow.commit()
        order_id, position = order.id, len(order.timeline)
    rogue = _timeline_row("work_order_id", order_id, tenant_id, position, "auto_close")
    with pytest.raises(Conflict) as raised, engine.begin() as connection, database_errors():
        connection.execute(work_order_timeline.insert().values(rogue))
    assert raised.value.code == "workorder.invalid_transition"


def test_a_complaint_is_reopened_once_even_by_a_writer_that_skips_the_version(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    home = add_home(make_uow, tenant_id)
    complaint = replied(submit(home), AT)
    complaint.reopen(home.resident_id, "没解决", AT + timedelta(hours=1))
    with make_uow(tenant_id) as uow:
        uow.complaints.add(complaint)
        uow.commit()
        complaint_id, position = complaint.id, len(complaint.timeline)
    rogue = _timeline_row("complaint_id", complaint_id, tenant_id, position, "reopen")
    with pytest.raises(Conflict) as raised, engine.begin() as connection, database_errors():
        connection.execute(complaint_timeline.insert().values(rogue))
    assert raised.value.code == "complaint.reopen_used"


UNREACHABLE_ORDERS: dict[str, dict[str, Any]] = {
    "rating_stars_range": {"rating_stars": 6},
    "rating_only_when_closed": {"status": "completed", "closed_at": None},
    "closed_at_when_closed": {"closed_at": None},
    "assigned_once_dispatched": {
        "status": "dispatched",
        "technician_id": None,
        "technician_name": None,
        "technician_phone": None,
        "expected_arrival": None,
        "dispatched_at": None,
        "completed_at": None,
        "closed_at": None,
        "rating_stars": None,
        "rating_text": None,
    },
    "assignment_complete": {"technician_phone": None},
    "completed_at_when_completed": {"completed_at": None},
    "status": {
        "status": sa.literal_column("'lost'"),
        "completed_at": None,
        "closed_at": None,
        "rating_stars": None,
        "rating_text": None,
    },
    "preferred_time_only_for_appointments": {"preferred_time": AT},
    "visit_complete": {"visit_at": AT, "visit_staff_id": new_id()},
}
"""Per CHECK constraint of ``work_orders``, a change of a rated order breaking only that one."""

UNREACHABLE_COMPLAINTS: dict[str, dict[str, Any]] = {
    "handler_once_accepted": {
        "status": "accepted",
        "handler_id": None,
        "accepted_at": None,
        "replied_at": None,
    },
    "replied_at_when_replied": {"replied_at": None},
    "reopen_with_reason": {"reopened_at": AT},
    "rating_only_when_closed": {"rating_stars": 3, "rating_text": ""},
    "closed_at_when_closed": {"status": "closed"},
}
"""Per CHECK constraint of ``complaints``, a change of a replied complaint breaking only it."""


def _refusals(
    engine: Engine, table: sa.Table, row_id: UUID, changes: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """For each change, in a transaction of its own: the error, or "accepted"."""
    found: dict[str, str] = {}
    for name, change in changes.items():
        try:
            with engine.begin() as connection:
                connection.execute(sa.update(table).where(table.c.id == row_id).values(**change))
        except sa.exc.IntegrityError as refused:
            found[name] = str(refused.orig)
        else:
            found[name] = "accepted"
    return found


def test_a_work_order_row_no_state_machine_reaches_is_refused_by_its_rule(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    home = add_home(make_uow, tenant_id)
    order = closed_by_rating(report(home), AT)
    with make_uow(tenant_id) as uow:
        uow.work_orders.add(order)
        uow.commit()
        order_id = order.id
    refusals = _refusals(engine, work_orders, order_id, UNREACHABLE_ORDERS)
    for rule, error in refusals.items():
        assert f"ck_work_orders_{rule}" in error, (rule, error)


def test_a_complaint_row_no_state_machine_reaches_is_refused_by_its_rule(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    home = add_home(make_uow, tenant_id)
    complaint = replied(submit(home), AT)
    with make_uow(tenant_id) as uow:
        uow.complaints.add(complaint)
        uow.commit()
        complaint_id = complaint.id
    refusals = _refusals(engine, complaints, complaint_id, UNREACHABLE_COMPLAINTS)
    for rule, error in refusals.items():
        assert f"ck_complaints_{rule}" in error, (rule, error)


def test_a_timeline_step_no_aggregate_takes_is_refused(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    home = add_home(make_uow, tenant_id)
    order = report(home)
    with make_uow(tenant_id) as uow:
        uow.work_orders.add(order)
        uow.commit()
        order_id = order.id
    steps = {
        "action": {"action": "teleport"},
        "actor_identified": {"actor_kind": "staff"},
        "status": {"status": sa.literal_column("'lost'")},
    }
    for position, (rule, change) in enumerate(steps.items(), start=1):
        row = _timeline_row("work_order_id", order_id, tenant_id, position, "visit") | change
        with pytest.raises(sa.exc.IntegrityError) as refused, engine.begin() as connection:
            connection.execute(work_order_timeline.insert().values(row))
        assert f"ck_work_order_timeline_{rule}" in str(refused.value.orig)


def test_the_stored_rows_of_every_state_are_accepted(make_uow: MakeUow, tenant_id: UUID) -> None:
    """The CHECKs refuse nothing the domain does (the refusals above are not vacuous)."""
    home = add_home(make_uow, tenant_id)
    cancelled = report(home)
    cancelled.cancel_by_resident(home.resident_id, AT, "不用修了")
    reopened = replied(submit(home), AT)
    reopened.reopen(home.resident_id, "没解决", AT + timedelta(hours=1))
    with make_uow(tenant_id) as uow:
        for order in (
            report(home),
            cancelled,
            completed(report(home), AT),
            closed_by_rating(report(home), AT),
        ):
            uow.work_orders.add(order)
        for complaint in (submit(home), replied(submit(home), AT), reopened):
            uow.complaints.add(complaint)
        uow.commit()
    with make_uow(tenant_id) as uow:
        statuses = uow.work_orders.in_community(home.community_id, None, PageRequest()).items
        assert {o.status for o in statuses} == {
            WorkOrderStatus.PENDING,
            WorkOrderStatus.CANCELLED,
            WorkOrderStatus.COMPLETED,
            WorkOrderStatus.CLOSED,
        }
        listed = uow.complaints.in_community(home.community_id, None, PageRequest()).items
        assert {c.status for c in listed} == {
            ComplaintStatus.SUBMITTED,
            ComplaintStatus.REPLIED,
            ComplaintStatus.ACCEPTED,
        }
