"""Bills 账单 and ledgers for residents and staff; fee items, meter readings, billing runs and
voiding for staff. Payments are the payments context's routes, not these."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.billing import (
    Amount,
    ArrearsView,
    BillingRun,
    BillingRunView,
    BillView,
    FeeItemView,
    FundEntryView,
    FundStatementView,
    LedgerEntryView,
    MeterReading,
    MissingReading,
    NewFeeItem,
    PrepaymentView,
    VoidReason,
)
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import page_request, paged, view
from estate_core.billing import billing_run, funds, queries
from estate_core.billing import services as billing
from estate_core.billing.fee_item import DueRule, LateFeePolicy
from estate_core.billing.model import BillStatus
from estate_core.billing.services import BILL_READERS
from estate_core.shared.access import Permission
from estate_core.shared.money import Money

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
READ_BILLS = {"permission": BILL_READERS}
FUND_READERS = {"permission": (Permission.FUND_MANAGE, Permission.REPORT_READ)}


@get(
    "/properties/{property_id:uuid}/bills",
    sync_to_thread=True,
    opt=READ_BILLS,
    summary="A property's bills: due 应缴, paid 已交 or upcoming 未到期",
)
def property_bills(
    property_id: FromPath[UUID],
    caller: Caller_,
    estate: Estate_,
    view_: Annotated[queries.BillView, QueryParameter(name="view")] = queries.BillView.DUE,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[BillView]:
    found = queries.list_property_bills(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        queries.ListPropertyBills(
            property_id=property_id, view=view_, page=page_request(limit, after)
        ),
    )
    return paged(BillView, found)


@get(
    "/properties/{property_id:uuid}/prepayment",
    sync_to_thread=True,
    opt=READ_BILLS,
    summary="A property's prepayment balance and entries 预存款",
)
def prepayment(
    property_id: FromPath[UUID],
    caller: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PrepaymentView:
    found = queries.prepayment_statement(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        property_id,
        page_request(limit, after),
    )
    return PrepaymentView(
        property_id=found.property_id,
        balance=Amount(fen=found.balance.fen),
        entries=paged(LedgerEntryView, found.entries),
    )


@get(
    "/communities/{community_id:uuid}/public-fund",
    sync_to_thread=True,
    opt=FUND_READERS,
    summary="The community's public-fund ledger 公共收益 (bound residents, staff)",
)
def public_fund(
    community_id: FromPath[UUID],
    caller: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> FundStatementView:
    found = funds.public_fund_statement(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        community_id,
        page_request(limit, after),
    )
    return FundStatementView(
        community_id=found.community_id,
        balance=Amount(fen=found.balance.fen),
        total_income=Amount(fen=found.total_income.fen),
        total_expense=Amount(fen=found.total_expense.fen),
        entries=paged(FundEntryView, found.entries),
    )


@get(
    "/communities/{community_id:uuid}/bills",
    sync_to_thread=True,
    opt=READ_BILLS,
    summary="A community's bills by status and period (staff)",
)
def community_bills(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    status: FromQuery[BillStatus | None] = None,
    period_start: Annotated[date | None, QueryParameter(name="periodStart")] = None,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[BillView]:
    found = queries.list_community_bills(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        queries.ListCommunityBills(
            community_id=community_id,
            status=status,
            period_start=period_start,
            page=page_request(limit, after),
        ),
    )
    return paged(BillView, found)


@get(
    "/communities/{community_id:uuid}/arrears",
    sync_to_thread=True,
    opt=READ_BILLS,
    summary="Properties in arrears 欠费, largest first (staff)",
)
def arrears(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ArrearsView]:
    found = queries.list_arrears(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        queries.ListArrears(community_id=community_id, page=page_request(limit, after)),
    )
    return paged(ArrearsView, found)


@get(
    "/communities/{community_id:uuid}/fee-items",
    sync_to_thread=True,
    opt={"permission": (Permission.FEE_MANAGE, *BILL_READERS)},
    summary="A community's fee items 收费项目 (staff)",
)
def fee_items(community_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> list[FeeItemView]:
    """A community has a few fee items, so this list is not paged."""
    found = billing.list_fee_items(estate.uow(staff.tenant_id), staff.actor, community_id)
    return [view(FeeItemView, item) for item in found]


@post(
    "/communities/{community_id:uuid}/fee-items",
    sync_to_thread=True,
    opt={"permission": Permission.FEE_MANAGE},
    summary="Create a fee item (staff)",
)
def create_fee_item(
    community_id: FromPath[UUID], data: JSONBody[NewFeeItem], staff: Caller_, estate: Estate_
) -> Created:
    late_fee = None
    if data.late_fee is not None:
        cap = None if data.late_fee.cap_fen is None else Money(data.late_fee.cap_fen)
        late_fee = LateFeePolicy(daily_rate=data.late_fee.daily_rate, cap=cap)
    created = billing.create_fee_item(
        estate.uow(staff.tenant_id),
        staff.actor,
        billing.CreateFeeItem(
            community_id=community_id,
            name=data.name,
            category=data.category,
            calculation=data.calculation,
            unit_price=data.unit_price,
            property_kinds=frozenset(data.property_kinds),
            cycle_months=data.cycle_months,
            first_period_start=data.first_period_start,
            due_rule=DueRule(kind=data.due_rule.kind, value=data.due_rule.value),
            late_fee=late_fee,
        ),
    )
    return Created(id=created)


@post(
    "/meter-readings",
    sync_to_thread=True,
    opt={"permission": Permission.BILL_ISSUE},
    summary="Record a meter reading 抄表 (staff)",
)
def meter_reading(data: JSONBody[MeterReading], staff: Caller_, estate: Estate_) -> Created:
    created = billing.record_meter_reading(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        billing.RecordMeterReading(
            property_id=data.property_id,
            fee_item_id=data.fee_item_id,
            reading=data.reading,
            read_on=data.read_on,
        ),
    )
    return Created(id=created)


@post(
    "/communities/{community_id:uuid}/billing-runs",
    sync_to_thread=True,
    opt={"permission": Permission.BILL_ISSUE},
    summary="Issue a period's bills; running it again issues nothing twice (staff)",
)
def run_billing(
    community_id: FromPath[UUID], data: JSONBody[BillingRun], staff: Caller_, estate: Estate_
) -> BillingRunView:
    result = billing_run.run_billing(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        billing_run.RunBilling(
            community_id=community_id,
            period_start=data.period_start,
            fee_item_ids=None if data.fee_item_ids is None else frozenset(data.fee_item_ids),
        ),
    )
    return BillingRunView(
        community_id=result.community_id,
        period_start=result.period_start,
        issued=result.issued,
        already_issued=result.already_issued,
        settled_from_prepayment=result.settled_from_prepayment,
        missing_readings=[
            MissingReading(property_id=prop, fee_item_id=item)
            for prop, item in result.missing_readings
        ],
    )


@post(
    "/bills/{bill_id:uuid}/void",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.BILL_VOID},
    summary="Void an unpaid bill 作废 (staff)",
)
def void(
    bill_id: FromPath[UUID], data: JSONBody[VoidReason], staff: Caller_, estate: Estate_
) -> None:
    billing.void_bill(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        billing.VoidBill(bill_id=bill_id, reason=data.reason),
    )


router = Router(
    path="",
    route_handlers=[
        property_bills,
        prepayment,
        public_fund,
        community_bills,
        arrears,
        fee_items,
        create_fee_item,
        meter_reading,
        run_billing,
        void,
    ],
    tags=["billing"],
)
