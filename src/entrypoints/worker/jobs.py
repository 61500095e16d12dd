"""What each scheduled job does: it calls the core's use case, nothing more (DESIGN.md §6).

Every job is idempotent: the use cases skip what is already closed, expired, issued or sent, and
the messages a job sends are keyed by its slot, so running a slot twice changes nothing more.
Closing a payment at the gateway and querying payments whose notification never came belong to
the payment gateway adapters: they hook in as the ``PaymentClosed`` event's handler and as a
``query_pending_payments`` job (``build_jobs(extra=...)``), not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.maintenance import purge_sms_codes
from entrypoints.worker.arrears import BillArrears, KnownArrears
from entrypoints.worker.delivery import Postman
from entrypoints.worker.messages import due_reminder
from entrypoints.worker.runner import Finish, Handler, JobContext
from estate_core.billing.billing_run import RunBilling, run_billing
from estate_core.billing.model import BillStatus
from estate_core.commerce.services.common import JOB_BATCH
from estate_core.commerce.services.coupons import expire_coupons
from estate_core.community.services.dunning import IssueDunningLetter, issue_dunning_letter
from estate_core.community.services.notices import publish_due_notices
from estate_core.payments.services.checkout import close_expired_payments
from estate_core.service.complaint_services import close_unrated_complaints
from estate_core.service.workorder_services import close_unrated
from estate_core.shared.access import Permission, StaffActor, SystemActor
from estate_core.shared.clock import FixedClock, local_date
from estate_core.shared.messaging import ResidentMessage
from estate_core.shared.money import Money
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest

SMS_CODE_RETENTION = timedelta(days=1)
PAYMENT_BATCH = 100

SCHEDULER = StaffActor(
    staff_id=UUID(int=0),
    permissions=frozenset({Permission.BILL_ISSUE, Permission.NOTICE_PUBLISH}),
)
"""The schedule acting for the property company, for the two use cases that are staff actions
(a billing run, a dunning letter): the company switched them on in its configuration, and the
nil staff id marks what the schedule did in the record."""


def _community(context: JobContext) -> UUID:
    return UUID(str(context.item.payload["community_id"]))


def _local_date(context: JobContext) -> date:
    return date.fromisoformat(str(context.item.payload["local_date"]))


def _clock(context: JobContext) -> FixedClock:
    """The job's own time, the same for all its steps."""
    return FixedClock(context.now)


def close_work_orders(context: JobContext) -> None:
    close_unrated(context.estate.uow(context.item.tenant_id), context.now)


def close_complaints(context: JobContext) -> None:
    close_unrated_complaints(context.estate.uow(context.item.tenant_id), context.now)


def expire(context: JobContext) -> None:
    actor = SystemActor(job=context.item.name)
    uow = context.estate.uow(context.item.tenant_id)
    while expire_coupons(uow, _clock(context), actor, limit=JOB_BATCH) == JOB_BATCH:
        continue


def publish_notices(context: JobContext) -> None:
    """定时发布: scheduled notices whose time has come; their publication tells the residents."""
    actor = SystemActor(job=context.item.name)
    publish_due_notices(context.estate.uow(context.item.tenant_id), _clock(context), actor)


def close_payments(context: JobContext) -> None:
    actor = SystemActor(job=context.item.name)
    uow = context.estate.uow(context.item.tenant_id)
    clock = _clock(context)
    while len(close_expired_payments(uow, clock, actor, limit=PAYMENT_BATCH)) == PAYMENT_BATCH:
        continue


def billing(context: JobContext) -> None:
    """出账 for the community's current local month; a bill already issued is never issued again."""
    local = _local_date(context)
    command = RunBilling(community_id=_community(context), period_start=local.replace(day=1))
    run_billing(context.estate.uow(context.item.tenant_id), _clock(context), SCHEDULER, command)


def dunning(context: JobContext) -> None:
    """One 催缴函 a month to the homes owing at least ``threshold_fen``: the slot is the month."""
    threshold = Money(int(context.item.payload["threshold_fen"]))
    tenant_id, community_id = context.item.tenant_id, _community(context)
    if _dunned_this_month(context, community_id):
        return
    owing = BillArrears(context.estate).properties_in_arrears(
        tenant_id, community_id, threshold, local_date(context.now)
    )
    issue_dunning_letter(
        context.estate.uow(tenant_id),
        _clock(context),
        context.estate.moderator,
        KnownArrears(owing),
        SCHEDULER,
        IssueDunningLetter(community_id=community_id, threshold=threshold),
    )


def _dunned_this_month(context: JobContext, community_id: UUID) -> bool:
    """A letter the schedule already sent this local month (the slot run again after a crash)."""
    month = _local_date(context).replace(day=1)
    with context.estate.uow(context.item.tenant_id) as uow:
        recent = uow.notices.in_community(community_id, PageRequest(limit=MAX_PAGE_SIZE)).items
        return any(
            notice.created_by == SCHEDULER.staff_id
            and local_date(notice.created_at).replace(day=1) == month
            for notice in recent
        )


def build_jobs(
    engine: Engine, postman: Postman, extra: Mapping[str, Handler] | None = None
) -> dict[str, Handler]:
    """The job table: name → handler. ``extra`` adds jobs other adapters bring."""

    def purge(context: JobContext) -> None:
        purge_sms_codes(engine, context.item.tenant_id, context.now - SMS_CODE_RETENTION)

    def reminders(context: JobContext) -> Finish:
        return postman.deliver(context, _due_soon(context))

    table: dict[str, Handler] = {
        "close_unrated_work_orders": close_work_orders,
        "close_unrated_complaints": close_complaints,
        "expire_coupons": expire,
        "publish_scheduled_notices": publish_notices,
        "close_expired_payments": close_payments,
        "purge_sms_codes": purge,
        "due_reminders": reminders,
        "dunning": dunning,
        "billing_run": billing,
    }
    table.update(extra or {})
    return table


def _due_soon(context: JobContext) -> list[ResidentMessage]:
    """缴费提醒 for the unpaid bills falling due ``days_before`` days after the slot's day, to
    every member of the home."""
    due = _local_date(context) + timedelta(days=int(context.item.payload["days_before"]))
    messages = []
    with context.estate.uow(context.item.tenant_id) as uow:
        page = PageRequest(limit=MAX_PAGE_SIZE)
        while True:
            found = uow.bills.in_community(_community(context), page, status=BillStatus.UNPAID)
            for bill in found.items:
                if bill.due_date != due:
                    continue
                household = uow.households.for_property(bill.property_id)
                fee = uow.fee_items.get(bill.fee_item_id)
                for member in household.members if household else []:
                    amount = bill.amount_due.fen
                    messages.append(
                        due_reminder(member.resident_id, fee.name, amount, due, bill.id)
                    )
            if found.next_cursor is None:
                break
            page = PageRequest(limit=MAX_PAGE_SIZE, after=found.next_cursor)
    return messages
