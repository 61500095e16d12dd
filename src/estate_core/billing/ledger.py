"""Ledgers: prepayment 预缴 per property and public funds 公共收支 per community.

Both keep their entries and compute the balance from them, never from a stored counter alone, so
the balance can always be explained line by line.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.billing import events
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.events import Aggregate
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, require_amount, total

ENTRY_TEXT_MAX = 200


class InsufficientPrepayment(Conflict):
    code = "prepayment.insufficient_balance"


class EntryKind(enum.StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One line of a prepayment ledger; ``amount`` is positive, ``kind`` gives the direction.

    ``reference_id`` ties the line to what caused it: the payment of a top-up or surplus, or the
    bill a debit paid.
    """

    id: UUID
    kind: EntryKind
    amount: Money
    reason: str
    reference_id: UUID | None
    at: datetime

    @property
    def signed(self) -> Money:
        return self.amount if self.kind is EntryKind.CREDIT else -self.amount


def _positive(amount: Money, code: str) -> None:
    """Prepayment entries come from payments (bounded where they enter), never typed in: a
    credit refused here would strand money a gateway has already received."""
    if not amount.is_positive:
        raise InvalidInput(code, "an entry is for a positive amount")


def _text(value: str, code: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > ENTRY_TEXT_MAX:
        raise InvalidInput(code, f"{what} is 1..{ENTRY_TEXT_MAX} characters")
    return value


@attrs.define(slots=False, eq=False, kw_only=True)
class PrepaymentLedger(Aggregate):
    """PrepaymentLedger 预缴账户 of one property: money paid ahead, spent on new bills.

    Credits come from top-ups and from payment surpluses; debits pay whole bills. The balance is
    the sum of the entries and never goes below zero.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    entries: list[LedgerEntry] = attrs.field(factory=list)

    @property
    def balance(self) -> Money:
        return total([entry.signed for entry in self.entries])

    def credit(
        self, amount: Money, reason: str, reference_id: UUID | None, at: datetime
    ) -> LedgerEntry:
        _positive(amount, "prepayment.invalid_amount")
        return self._append(EntryKind.CREDIT, amount, reason, reference_id, at)

    def debit(
        self, amount: Money, reason: str, reference_id: UUID | None, at: datetime
    ) -> LedgerEntry:
        """Spend from the balance; refused (nothing changes) when the balance does not cover it."""
        _positive(amount, "prepayment.invalid_amount")
        if amount > self.balance:
            raise InsufficientPrepayment(
                f"the prepayment balance {self.balance} does not cover {amount}",
                balance=self.balance.fen,
                amount=amount.fen,
            )
        return self._append(EntryKind.DEBIT, amount, reason, reference_id, at)

    def _append(
        self,
        kind: EntryKind,
        amount: Money,
        reason: str,
        reference_id: UUID | None,
        at: datetime,
    ) -> LedgerEntry:
        entry = LedgerEntry(
            id=new_id(),
            kind=kind,
            amount=amount,
            reason=_text(reason, "prepayment.reason_required", "a reason"),
            reference_id=reference_id,
            at=at,
        )
        self.entries.append(entry)
        event = events.PrepaymentCredited if kind is EntryKind.CREDIT else events.PrepaymentDebited
        self.record(
            event(
                property_id=self.property_id,
                entry_id=entry.id,
                amount=amount,
                reason=entry.reason,
                reference_id=reference_id,
                balance=self.balance,
            )
        )
        return entry


class FundEntryKind(enum.StrEnum):
    INCOME = "income"
    EXPENSE = "expense"


@attrs.frozen(kw_only=True)
class FundEntry:
    """One income or expense of a community's public funds, on a local date."""

    id: UUID
    kind: FundEntryKind
    category: str
    amount: Money
    note: str
    on: date
    recorded_by: UUID
    recorded_at: datetime

    @property
    def signed(self) -> Money:
        return self.amount if self.kind is FundEntryKind.INCOME else -self.amount


@attrs.define(slots=False, eq=False, kw_only=True)
class PublicFundLedger(Aggregate):
    """PublicFundLedger 公共收支 of a community (e.g. 大修基金), which owners may read.

    It records what happened, so an expense larger than the balance is recorded, not refused:
    a negative balance is itself what the owners must be able to see (seed 001 §2.2.4).
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    entries: list[FundEntry] = attrs.field(factory=list)

    @property
    def balance(self) -> Money:
        return total([entry.signed for entry in self.entries])

    def total_of(self, kind: FundEntryKind) -> Money:
        return total([entry.amount for entry in self.entries if entry.kind is kind])

    def record_entry(
        self,
        *,
        kind: FundEntryKind,
        category: str,
        amount: Money,
        note: str,
        on: date,
        recorded_by: UUID,
        at: datetime,
    ) -> FundEntry:
        require_amount(amount, "fund.invalid_amount", "an entry")
        note = note.strip()
        if len(note) > ENTRY_TEXT_MAX:
            raise InvalidInput(
                "fund.invalid_note", f"a note is at most {ENTRY_TEXT_MAX} characters"
            )
        entry = FundEntry(
            id=new_id(),
            kind=kind,
            category=_text(category, "fund.category_required", "a category"),
            amount=amount,
            note=note,
            on=on,
            recorded_by=recorded_by,
            recorded_at=at,
        )
        self.entries.append(entry)
        self.record(
            events.PublicFundEntryRecorded(
                community_id=self.community_id,
                entry_id=entry.id,
                kind=kind,
                category=entry.category,
                amount=amount,
                on=on,
            )
        )
        return entry
