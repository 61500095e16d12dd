"""Use cases of billing: fee items, voiding bills, meter readings, the prepayment ledger.

The billing run is in :mod:`billing_run`, views in :mod:`queries`, public funds in :mod:`funds`,
bill import in :mod:`imports`; payments in :mod:`estate_core.payments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, FeeCategory, FeeItem, LateFeePolicy
from estate_core.billing.ledger import PrepaymentLedger
from estate_core.billing.meter import MeterReading
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Actor, Permission, StaffActor, require_staff
from estate_core.shared.clock import CHINA, Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id


def today(clock: Clock) -> date:
    """The local date now in Asia/Shanghai, the default zone of communities."""
    return local_date(clock.now())


def community_today(uow: BillingUnitOfWork, clock: Clock, community_id: UUID) -> date:
    """Today in the community's time zone (Asia/Shanghai unless the community says otherwise):
    periods, due dates and days overdue are local dates (DESIGN.md §4)."""
    community = uow.communities.find(community_id)
    return local_date(clock.now(), community.zone if community else CHINA)


def require_staff_with_any(
    actor: Actor, permissions: Sequence[Permission], community_id: UUID
) -> StaffActor:
    """The actor as staff holding at least one of ``permissions`` for the community."""
    if not isinstance(actor, StaffActor):
        raise PermissionDenied("permission.staff_only", "only staff may do this")
    if not any(actor.can(permission, community_id) for permission in permissions):
        actor.require(permissions[0], community_id)
    return actor


#: Staff who may read bills: those who issue or void them, collect money, or read reports.
BILL_READERS = (
    Permission.BILL_ISSUE,
    Permission.BILL_VOID,
    Permission.PAYMENT_COLLECT,
    Permission.REPORT_READ,
)


@attrs.frozen(kw_only=True)
class CreateFeeItem:
    community_id: UUID
    name: str
    category: FeeCategory
    calculation: Calculation
    unit_price: Decimal
    property_kinds: frozenset[PropertyKind]
    cycle_months: int = 1
    first_period_start: date
    due_rule: DueRule
    late_fee: LateFeePolicy | None = None


def create_fee_item(uow: BillingUnitOfWork, actor: Actor, cmd: CreateFeeItem) -> UUID:
    require_staff(actor, Permission.FEE_MANAGE, cmd.community_id)
    with uow:
        uow.communities.get(cmd.community_id)
        if uow.fee_items.find_by_name(cmd.community_id, cmd.name.strip()):
            raise Conflict("fee_item.duplicate_name", "the community has a fee with this name")
        item = FeeItem.create(
            fee_item_id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=cmd.community_id,
            name=cmd.name,
            category=cmd.category,
            calculation=cmd.calculation,
            unit_price=cmd.unit_price,
            property_kinds=cmd.property_kinds,
            cycle_months=cmd.cycle_months,
            first_period_start=cmd.first_period_start,
            due_rule=cmd.due_rule,
            late_fee=cmd.late_fee,
        )
        uow.fee_items.add(item)
        uow.commit()
        return item.id


@attrs.frozen(kw_only=True)
class UpdateFeeItem:
    """Replace what may change of a fee item; calculation, cycle and first period may not."""

    fee_item_id: UUID
    name: str
    category: FeeCategory
    unit_price: Decimal
    property_kinds: frozenset[PropertyKind]
    due_rule: DueRule
    late_fee: LateFeePolicy | None = None
    active: bool = True


def update_fee_item(uow: BillingUnitOfWork, actor: Actor, cmd: UpdateFeeItem) -> None:
    with uow:
        item = uow.fee_items.get(cmd.fee_item_id)
        require_staff(actor, Permission.FEE_MANAGE, item.community_id)
        other = uow.fee_items.find_by_name(item.community_id, cmd.name.strip())
        if other is not None and other.id != item.id:
            raise Conflict("fee_item.duplicate_name", "the community has a fee with this name")
        item.change(
            name=cmd.name,
            category=cmd.category,
            unit_price=cmd.unit_price,
            property_kinds=cmd.property_kinds,
            due_rule=cmd.due_rule,
            late_fee=cmd.late_fee,
            active=cmd.active,
        )
        uow.commit()


@attrs.frozen(kw_only=True)
class FeeItemView:
    """Read model of a fee item."""

    id: UUID
    community_id: UUID
    name: str
    category: FeeCategory
    calculation: Calculation
    unit_price: Decimal
    property_kinds: frozenset[PropertyKind]
    cycle_months: int
    first_period_start: date
    due_rule: DueRule
    late_fee: LateFeePolicy | None
    active: bool


def list_fee_items(uow: BillingUnitOfWork, actor: Actor, community_id: UUID) -> list[FeeItemView]:
    require_staff_with_any(actor, (Permission.FEE_MANAGE, *BILL_READERS), community_id)
    with uow:
        return [
            FeeItemView(
                id=item.id,
                community_id=item.community_id,
                name=item.name,
                category=item.category,
                calculation=item.calculation,
                unit_price=item.unit_price,
                property_kinds=item.property_kinds,
                cycle_months=item.cycle_months,
                first_period_start=item.first_period_start,
                due_rule=item.due_rule,
                late_fee=item.late_fee,
                active=item.active,
            )
            for item in uow.fee_items.in_community(community_id)
        ]


@attrs.frozen(kw_only=True)
class VoidBill:
    bill_id: UUID
    reason: str


def void_bill(uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: VoidBill) -> None:
    """Staff holding ``bill.void`` cancel an unpaid bill (作废) with a reason."""
    with uow:
        bill = uow.bills.get(cmd.bill_id)
        require_staff(actor, Permission.BILL_VOID, bill.community_id)
        bill.void(cmd.reason, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class RecordMeterReading:
    property_id: UUID
    fee_item_id: UUID
    reading: Decimal
    read_on: date


def record_meter_reading(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: RecordMeterReading
) -> UUID:
    """Record a meter reading (抄表) of a metered fee for a property, by staff with bill.issue.

    A reading lower than the one before it, or higher than one after it, is refused
    (``meter.reading_decreased``); one reading per property, fee item and day.
    """
    with uow:
        prop = uow.properties.get(cmd.property_id)
        staff = require_staff(actor, Permission.BILL_ISSUE, prop.community_id)
        item = uow.fee_items.get(cmd.fee_item_id)
        if item.community_id != prop.community_id or item.calculation is not Calculation.METERED:
            raise InvalidInput("meter.not_metered", "that is not a metered fee of this community")
        if not item.applies_to(prop.kind):
            raise InvalidInput("meter.not_applicable", "that fee does not apply to this property")
        if cmd.read_on > community_today(uow, clock, prop.community_id):
            raise InvalidInput("meter.future_reading", "a reading cannot be dated in the future")
        previous = uow.meter_readings.last_on_or_before(prop.id, item.id, cmd.read_on)
        if previous is not None and previous.read_on == cmd.read_on:
            raise Conflict("meter.duplicate_reading", "this meter already has a reading that day")
        reading = MeterReading.take(
            reading_id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=prop.community_id,
            property_id=prop.id,
            fee_item_id=item.id,
            reading=cmd.reading,
            read_on=cmd.read_on,
            recorded_by=staff.staff_id,
            at=clock.now(),
            previous=previous,
            following=uow.meter_readings.first_after(prop.id, item.id, cmd.read_on),
        )
        uow.meter_readings.add(reading)
        uow.commit()
        return reading.id


def metered_usage(
    uow: BillingUnitOfWork, property_id: UUID, fee_item_id: UUID, start: date, end: date
) -> Decimal | None:
    """Usage billed for the period: its last reading − the reading before that one.

    ``None`` when the period has no reading yet, or there is no earlier reading to subtract.
    """
    current = uow.meter_readings.last_on_or_before(property_id, fee_item_id, end)
    if current is None or current.read_on < start:
        return None
    previous = uow.meter_readings.last_on_or_before(
        property_id, fee_item_id, current.read_on - timedelta(days=1)
    )
    if previous is None:
        return None
    return current.reading - previous.reading


def open_prepayment_ledger(uow: BillingUnitOfWork, property_id: UUID) -> PrepaymentLedger:
    """The prepayment ledger 预缴账户 of a property, held for a change; created (empty) on first
    use. Call inside an open unit of work.

    Payments of one home settling at once may all find no ledger: the repository's ``open``
    makes the first one's ledger everybody's (the others wait for it and credit it in turn)
    instead of failing on the one-ledger-per-property key.
    """
    ledger = uow.prepayments.for_property(property_id, lock=True)
    if ledger is None:
        prop = uow.properties.get(property_id)
        ledger = uow.prepayments.open(
            PrepaymentLedger(
                id=new_id(),
                tenant_id=uow.tenant_id,
                community_id=prop.community_id,
                property_id=prop.id,
            )
        )
    return ledger
