"""Helpers for the billing and payment tests: one community with homes, owners and fee items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs
import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.billing import billing_run, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.billing.model import Bill
from estate_core.identity.model import Community, Resident
from estate_core.properties import services as properties
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

JANUARY = date(2026, 1, 1)
DUE_IN_15_DAYS = DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15)


def new_community(uow: InMemoryUnitOfWork, name: str = "阳光花园") -> UUID:
    community_id = new_id()
    with uow:
        uow.communities.add(
            Community.create(
                id=community_id,
                tenant_id=uow.tenant_id,
                name=name,
                address="",
                time_zone="Asia/Shanghai",
            )
        )
        uow.commit()
    return community_id


@attrs.define
class World:
    uow: InMemoryUnitOfWork
    clock: FixedClock
    admin: StaffActor
    community_id: UUID
    _rooms: int = 100
    _phones: int = 0

    def home(
        self,
        *,
        area: str = "100.00",
        kind: PropertyKind = PropertyKind.RESIDENCE,
        billing_start: date | None = None,
        billing_end: date | None = None,
        room: str | None = None,
        community_id: UUID | None = None,
    ) -> UUID:
        self._rooms += 1
        property_id = properties.register_property(
            self.uow,
            self.admin,
            properties.RegisterProperty(
                community_id=community_id or self.community_id,
                kind=kind,
                building="1",
                unit="1",
                room=room or str(self._rooms),
                area=Decimal(area),
                billing_start=billing_start,
            ),
        )
        if billing_end is not None:
            with self.uow:
                self.uow.properties.get(property_id).billing_end = billing_end
                self.uow.commit()
        return property_id

    def owner_of(self, property_id: UUID) -> ResidentActor:
        """A verified resident, recorded and so bound as the owner of ``property_id``."""
        self._phones += 1
        phone = f"1390000{self._phones:04d}"
        with self.uow:
            resident = Resident(
                id=new_id(), tenant_id=self.uow.tenant_id, phone=phone, created_at=self.clock.now()
            )
            resident.verify_phone(self.clock.now())
            self.uow.residents.add(resident)
            self.uow.commit()
        properties.record_owner(
            self.uow,
            self.clock,
            self.admin,
            properties.RecordOwner(property_id=property_id, name="王业主", phone=phone),
        )
        return ResidentActor(resident_id=resident.id)

    def fee(
        self,
        name: str = "物业费",
        *,
        calculation: Calculation = Calculation.PER_AREA,
        price: str = "2.50",
        kinds: frozenset[PropertyKind] = frozenset({PropertyKind.RESIDENCE}),
        cycle: int = 1,
        first: date = JANUARY,
        due_rule: DueRule = DUE_IN_15_DAYS,
        late_fee: LateFeePolicy | None = None,
        category: FeeCategory = FeeCategory.PROPERTY_FEE,
    ) -> UUID:
        return services.create_fee_item(
            self.uow,
            self.admin,
            services.CreateFeeItem(
                community_id=self.community_id,
                name=name,
                category=category,
                calculation=calculation,
                unit_price=Decimal(price),
                property_kinds=kinds,
                cycle_months=cycle,
                first_period_start=first,
                due_rule=due_rule,
                late_fee=late_fee,
            ),
        )

    def run(self, period_start: date, **options: object) -> billing_run.BillingRunResult:
        return billing_run.run_billing(
            self.uow,
            self.clock,
            self.admin,
            billing_run.RunBilling(
                community_id=self.community_id,
                period_start=period_start,
                **options,  # type: ignore[arg-type]
            ),
        )

    def bills(self, property_id: UUID | None = None) -> list[Bill]:
        with self.uow:
            page = self.uow.bills.in_community(self.community_id, PageRequest(limit=200))
            found = [b for b in page.items if property_id is None or b.property_id == property_id]
            return sorted(found, key=lambda b: (b.period_start, str(b.fee_item_id)))

    def read_reading(self, property_id: UUID, fee_item_id: UUID, reading: str, on: date) -> UUID:
        return services.record_meter_reading(
            self.uow,
            self.clock,
            self.admin,
            services.RecordMeterReading(
                property_id=property_id,
                fee_item_id=fee_item_id,
                reading=Decimal(reading),
                read_on=on,
            ),
        )


@pytest.fixture
def world(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> World:
    """One community (Asia/Shanghai) and the admin; today is 2026-03-15 local."""
    return World(uow=uow, clock=clock, admin=admin, community_id=new_community(uow))
