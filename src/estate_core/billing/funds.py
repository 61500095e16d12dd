"""Public funds 公共收支 of a community: staff record income and expense, owners read them.

Seed 001 §2.2.4: 也可查本小区应公布的相关公共费用收支情况, 如: 大修基金.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.billing.ledger import FundEntry, FundEntryKind, PublicFundLedger
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import community_today, require_staff_with_any
from estate_core.properties.services import is_bound_in_community
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest, paginate


@attrs.frozen(kw_only=True)
class RecordFundEntry:
    community_id: UUID
    kind: FundEntryKind
    category: str
    amount: Money
    note: str = ""
    on: date


def record_fund_entry(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: RecordFundEntry
) -> UUID:
    """Staff holding ``fund.manage`` record an income or expense of the community's funds."""
    staff = require_staff(actor, Permission.FUND_MANAGE, cmd.community_id)
    with uow:
        uow.communities.get(cmd.community_id)
        if cmd.on > community_today(uow, clock, cmd.community_id):
            raise InvalidInput("fund.future_entry", "an entry records something that happened")
        ledger = uow.public_funds.for_community(cmd.community_id)
        if ledger is None:
            ledger = PublicFundLedger(
                id=new_id(), tenant_id=uow.tenant_id, community_id=cmd.community_id
            )
            uow.public_funds.add(ledger)
        entry = ledger.record_entry(
            kind=cmd.kind,
            category=cmd.category,
            amount=cmd.amount,
            note=cmd.note,
            on=cmd.on,
            recorded_by=staff.staff_id,
            at=clock.now(),
        )
        uow.commit()
        return entry.id


@attrs.frozen(kw_only=True)
class FundStatement:
    """Read model: the balance, totals and entries (latest first) of a community's funds."""

    community_id: UUID
    balance: Money
    total_income: Money
    total_expense: Money
    entries: Page[FundEntry]


def public_fund_statement(
    uow: BillingUnitOfWork,
    clock: Clock,
    actor: Actor,
    community_id: UUID,
    page: PageRequest | None = None,
) -> FundStatement:
    """Readable by bound residents (owner, family, tenant) of the community and by staff who
    manage funds or read reports; not by unbound residents or other communities' residents."""
    with uow:
        if isinstance(actor, ResidentActor):
            resident = uow.residents.find(actor.resident_id)
            if resident is None or resident.disabled:
                raise PermissionDenied("resident.disabled", "this account is disabled")
            day = community_today(uow, clock, community_id)
            if not is_bound_in_community(uow, actor.resident_id, community_id, day):
                raise PermissionDenied(
                    "fund.not_bound", "bind a home in this community to read its public funds"
                )
        else:
            require_staff_with_any(
                actor, (Permission.FUND_MANAGE, Permission.REPORT_READ), community_id
            )
        ledger = uow.public_funds.for_community(community_id)
        entries = ledger.entries if ledger else []
        return FundStatement(
            community_id=community_id,
            balance=ledger.balance if ledger else Money.zero(),
            total_income=ledger.total_of(FundEntryKind.INCOME) if ledger else Money.zero(),
            total_expense=ledger.total_of(FundEntryKind.EXPENSE) if ledger else Money.zero(),
            entries=paginate(
                entries,
                key=lambda e: (-e.on.toordinal(), str(e.id)),
                request=page or PageRequest(),
            ),
        )
