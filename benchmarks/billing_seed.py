"""The community a billing benchmark bills, and the floor's copy of what the run will issue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import attrs
import sqlalchemy as sa
from billing_floor import FloorItem, FloorRun
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_session_factory, metadata
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.billing import services
from estate_core.billing.calculation import Calculation, monthly_charge, period_amount
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory
from estate_core.identity.model import Community as CommunityAggregate
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

CLOCK = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
PERIOD = date(2026, 3, 1)
AREAS = [Decimal("60.00") + index * Decimal("3.75") for index in range(20)]
"""Twenty distinct areas, so a run computes forty distinct charges, not one."""

SEED_BATCH = 10_000


@attrs.frozen
class Community:
    tenant_id: UUID
    id: UUID
    bills: int

    @classmethod
    def of(cls, tenant_id: str, community_id: str, bills: int) -> Community:
        return cls(UUID(tenant_id), UUID(community_id), bills)


def empty(engine: Engine) -> None:
    """Every table emptied (TRUNCATE on PostgreSQL: a DELETE would check every deferred
    foreign key of the rows it removes at commit)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            return
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def empty_bills(engine: Engine) -> None:
    """The bills and the outbox emptied: the state before a run."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("TRUNCATE bills, outbox CASCADE")
        else:
            connection.exec_driver_sql("DELETE FROM outbox")
            connection.exec_driver_sql("DELETE FROM bills")


def seed(engine: Engine, homes: int) -> Community:
    """A new community of ``homes`` homes and its two fee items."""
    tenant_id, community_id = new_id(), new_id()
    with engine.begin() as connection:
        for first in range(0, homes, SEED_BATCH):
            connection.execute(
                sa.insert(properties),
                [
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "community_id": community_id,
                        "kind": PropertyKind.RESIDENCE,
                        "building": str(1 + i // 1000),
                        "unit": str(1 + i // 100 % 10),
                        "room": str(1000 + i % 100),
                        "area": AREAS[i % len(AREAS)],
                        "owner_name": None,
                        "owner_phone": None,
                        "billing_start": None,
                        "billing_end": None,
                        "version": 1,
                    }
                    for i in range(first, min(homes, first + SEED_BATCH))
                ],
            )
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE properties")
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine), tenant_id, CLOCK)
    with uow:
        uow.communities.add(
            CommunityAggregate.create(
                id=community_id,
                tenant_id=tenant_id,
                name="阳光花园",
                address="",
                time_zone="Asia/Shanghai",
            )
        )
        uow.commit()
    for name, calculation, price in (
        ("物业费", Calculation.PER_AREA, "2.50"),
        ("垃圾清运费", Calculation.FIXED, "10"),
    ):
        services.create_fee_item(
            uow,
            ADMIN,
            services.CreateFeeItem(
                community_id=community_id,
                name=name,
                category=FeeCategory.PROPERTY_FEE,
                calculation=calculation,
                unit_price=Decimal(price),
                property_kinds=frozenset({PropertyKind.RESIDENCE}),
                first_period_start=date(2026, 1, 1),
                due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
            ),
        )
    return Community(tenant_id, community_id, 2 * homes)


def floor_run(engine: Engine, community: Community) -> FloorRun:
    """What the run will issue, for the floor: each home's id and amount per fee item."""
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine), community.tenant_id, CLOCK)
    items, charges = [], []
    with uow:
        for item in uow.fee_items.in_community(community.id):
            start, end = item.period_starting(PERIOD) or (PERIOD, PERIOD)
            items.append(FloorItem(item.id, start, end, item.due_rule.due_date(start, end)))
            monthly = {a: monthly_charge(item.calculation, item.unit_price, a) for a in AREAS}
            charges.append({area: period_amount(fen, start, 1) for area, fen in monthly.items()})
    c = properties.c
    with engine.connect() as connection:
        found = connection.execute(
            sa.select(c.id, c.area)
            .where(c.tenant_id == community.tenant_id, c.community_id == community.id)
            .order_by(c.building, c.unit, c.room)
        ).all()
    homes = [(home, [charge[area].fen for charge in charges]) for home, area in found]
    return FloorRun(community.tenant_id, community.id, items, homes, CLOCK.now())
