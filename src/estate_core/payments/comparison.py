"""The comparison of a gateway's daily statement (对账单) with our payments and refunds.

Pure: it takes the statement's lines and snapshots of the local records, and says what every
line is (matched, or one finding) and which local records the gateway does not know. Every line
is accounted for exactly once, which the property tests prove for any mix of lines and records.

- A line is matched when we hold the same payment (or refund) as done, for the same amount.
- *Missing locally*: the gateway took money (or refunded it) and we do not hold it as done. When
  we hold the payment pending or closed (or the refund requested) for the same amount, the
  finding carries a remedy: settle it (record the refund's result) through the use cases the
  notifications use.
- *Amount mismatch*: the same number, another amount; nothing is settled on it.
- *Duplicate line*: the statement lists the same payment (or refund) again.
- *Missing at the gateway*: we settled a payment (or refund) in the day and the statement has no
  line for it. The gateway's time is never later than ours (we settle on its word), so a record
  settled just after midnight may sit on the day before's statement: within
  :data:`MIDNIGHT_GRACE` of the day's start it is looked up there before it is reported.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import (
    SETTLED_STATUSES,
    ChannelGroup,
    MerchantAccount,
    PaymentChannel,
    PaymentStatus,
)
from estate_core.shared.money import Money, total

MIDNIGHT_GRACE = timedelta(minutes=30)
"""How long after midnight a record we settled may still be on the day before's statement."""


class DiscrepancyKind(enum.StrEnum):
    MISSING_LOCALLY = "missing_locally"
    MISSING_AT_GATEWAY = "missing_at_gateway"
    AMOUNT_MISMATCH = "amount_mismatch"
    DUPLICATE_LINE = "duplicate_line"


class Remedy(enum.StrEnum):
    """What reconciliation may do itself about a finding (the rest waits for staff)."""

    SETTLE = "settle"
    RECORD_REFUND = "record_refund"


@attrs.frozen(kw_only=True)
class LocalRefund:
    out_refund_no: str
    amount: Money
    status: RefundStatus
    finished_at: datetime | None


@attrs.frozen(kw_only=True)
class LocalPayment:
    """What the comparison needs of one of our payments."""

    payment_id: UUID
    out_trade_no: str
    channel: PaymentChannel
    amount: Money
    status: PaymentStatus
    merchant: MerchantAccount | None
    succeeded_at: datetime | None
    refunds: tuple[LocalRefund, ...] = ()

    def refund(self, out_refund_no: str | None) -> LocalRefund | None:
        return next((r for r in self.refunds if r.out_refund_no == out_refund_no), None)


@attrs.frozen(kw_only=True)
class Finding:
    """One discrepancy as found; ``lines`` are the statement lines (by index) it stands for."""

    kind: DiscrepancyKind
    subject: StatementEntryKind
    out_trade_no: str
    out_refund_no: str | None = None
    transaction_id: str | None = None
    gateway_amount: Money | None = None
    local_amount: Money | None = None
    payment_id: UUID | None = None
    lines: tuple[int, ...] = ()
    remedy: Remedy | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The same discrepancy on a later run of the same day has the same key."""
        return (self.kind, self.subject, self.out_trade_no, self.out_refund_no or "")


@attrs.frozen(kw_only=True)
class Comparison:
    matched: tuple[int, ...]
    findings: tuple[Finding, ...]


_LineKey = tuple[StatementEntryKind, str, str | None]


def _line_key(line: StatementEntry) -> _LineKey:
    refund_no = line.out_refund_no if line.kind is StatementEntryKind.REFUND else None
    return (line.kind, line.out_trade_no, refund_no)


def compare(
    lines: Sequence[StatementEntry],
    local: Sequence[LocalPayment],
    group: ChannelGroup,
    start: datetime,
    end: datetime,
    day_before: Callable[[], Sequence[StatementEntry]] = tuple,
) -> Comparison:
    """Compare the statement of the day ``[start, end)`` with ``local``.

    ``local`` holds every payment a line names and every payment of the group settled, or with
    a refund that succeeded, in the day (more is harmless). ``day_before`` gives the previous
    day's statement; it is only called when a record settled just after midnight is missing.
    """
    by_no = {payment.out_trade_no: payment for payment in local}
    matched: list[int] = []
    findings: list[Finding] = []
    first: dict[_LineKey, int] = {}
    repeats: dict[_LineKey, list[int]] = {}
    for index, line in enumerate(lines):
        key = _line_key(line)
        if key in first:
            repeats.setdefault(key, []).append(index)
            continue
        first[key] = index
        finding = _classify(index, line, by_no.get(line.out_trade_no))
        if finding is None:
            matched.append(index)
        else:
            findings.append(finding)
    for key, indexes in repeats.items():
        kind, out_trade_no, out_refund_no = key
        findings.append(
            Finding(
                kind=DiscrepancyKind.DUPLICATE_LINE,
                subject=kind,
                out_trade_no=out_trade_no,
                out_refund_no=out_refund_no,
                transaction_id=lines[indexes[0]].transaction_id,
                gateway_amount=total([lines[i].amount for i in indexes]),
                payment_id=_payment_id(by_no.get(out_trade_no)),
                lines=tuple(indexes),
            )
        )
    findings += _missing_at_gateway(set(first), local, group, start, end, day_before)
    return Comparison(matched=tuple(matched), findings=tuple(findings))


def _payment_id(payment: LocalPayment | None) -> UUID | None:
    return payment.payment_id if payment else None


def _classify(index: int, line: StatementEntry, payment: LocalPayment | None) -> Finding | None:
    """What one (first) line is: None when it matches our record."""
    refund_no = line.out_refund_no if line.kind is StatementEntryKind.REFUND else None
    found = Finding(
        kind=DiscrepancyKind.MISSING_LOCALLY,
        subject=line.kind,
        out_trade_no=line.out_trade_no,
        out_refund_no=refund_no,
        transaction_id=line.transaction_id,
        gateway_amount=line.amount,
        payment_id=_payment_id(payment),
        lines=(index,),
    )
    if payment is None:
        return found
    if line.kind is StatementEntryKind.PAYMENT:
        amount, done = payment.amount, payment.status in SETTLED_STATUSES
        remedy: Remedy | None = Remedy.SETTLE
    else:
        refund = payment.refund(refund_no)
        if refund is None:
            return found
        amount, done = refund.amount, refund.status is RefundStatus.SUCCEEDED
        remedy = Remedy.RECORD_REFUND if refund.status is RefundStatus.REQUESTED else None
    if amount != line.amount:
        return attrs.evolve(found, kind=DiscrepancyKind.AMOUNT_MISMATCH, local_amount=amount)
    if done:
        return None
    return attrs.evolve(found, local_amount=amount, remedy=remedy)


def _done_in_day(
    local: Sequence[LocalPayment], group: ChannelGroup, start: datetime, end: datetime
) -> list[tuple[_LineKey, LocalPayment, Money, datetime]]:
    """Payments of the group settled in the day, and refunds of them that succeeded in it."""
    done: list[tuple[_LineKey, LocalPayment, Money, datetime]] = []
    for payment in local:
        if payment.channel not in group.channels:
            continue
        at = payment.succeeded_at
        if payment.status in SETTLED_STATUSES and at is not None and start <= at < end:
            done.append(
                (
                    (StatementEntryKind.PAYMENT, payment.out_trade_no, None),
                    payment,
                    payment.amount,
                    at,
                )
            )
        for refund in payment.refunds:
            at = refund.finished_at
            if refund.status is RefundStatus.SUCCEEDED and at is not None and start <= at < end:
                key: _LineKey = (
                    StatementEntryKind.REFUND,
                    payment.out_trade_no,
                    refund.out_refund_no,
                )
                done.append((key, payment, refund.amount, at))
    return done


def _missing_at_gateway(
    on_statement: set[_LineKey],
    local: Sequence[LocalPayment],
    group: ChannelGroup,
    start: datetime,
    end: datetime,
    day_before: Callable[[], Sequence[StatementEntry]],
) -> list[Finding]:
    missing = [
        (key, payment, amount, at)
        for key, payment, amount, at in _done_in_day(local, group, start, end)
        if key not in on_statement
    ]
    if any(at < start + MIDNIGHT_GRACE for *_, at in missing):
        earlier = {_line_key(line) for line in day_before()}
        missing = [m for m in missing if not (m[3] < start + MIDNIGHT_GRACE and m[0] in earlier)]
    return [
        Finding(
            kind=DiscrepancyKind.MISSING_AT_GATEWAY,
            subject=key[0],
            out_trade_no=key[1],
            out_refund_no=key[2],
            local_amount=amount,
            payment_id=payment.payment_id,
        )
        for key, payment, amount, _ in missing
    ]
