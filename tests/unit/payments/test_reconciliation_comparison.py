"""The statement comparison 对账比对: every line accounted for exactly once, for any mix.

Hypothesis draws statements and local payments over a few shared numbers, so lines and
records collide in every way: the same number twice on the statement, a line for a payment we
hold pending, closed, settled or not at all, for the right or the wrong amount, refunds of each
status, records settled before, in and after the day (and just after midnight).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from estate_core.payments.comparison import (
    MIDNIGHT_GRACE,
    DiscrepancyKind,
    LocalPayment,
    LocalRefund,
    Remedy,
    compare,
)
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.reconciliation import day_bounds
from estate_core.payments.values import (
    SETTLED_STATUSES,
    ChannelGroup,
    PaymentChannel,
    PaymentStatus,
)
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

DAY = date(2026, 3, 14)
START, END = day_bounds(DAY)
GROUP = ChannelGroup.WECHAT
UNSETTLED = (PaymentStatus.PENDING, PaymentStatus.CLOSED)
NUMBERS = [f"T{i:06d}" for i in range(6)]
REFUND_NUMBERS = [f"R{i:06d}" for i in range(3)]

amounts = st.integers(min_value=1, max_value=4).map(Money)
instants = st.one_of(
    st.integers(min_value=-3600, max_value=86400 + 3600).map(
        lambda s: START + timedelta(seconds=s)
    ),
    st.integers(min_value=0, max_value=int(MIDNIGHT_GRACE.total_seconds())).map(
        lambda s: START + timedelta(seconds=s)
    ),
)


@st.composite
def refunds(draw: st.DrawFn) -> LocalRefund:
    status = draw(st.sampled_from(RefundStatus))
    finished = None if status is RefundStatus.REQUESTED else draw(instants)
    return LocalRefund(
        out_refund_no=draw(st.sampled_from(REFUND_NUMBERS)),
        amount=draw(amounts),
        status=status,
        finished_at=finished,
    )


@st.composite
def payments(draw: st.DrawFn, out_trade_no: str) -> LocalPayment:
    status = draw(st.sampled_from(PaymentStatus))
    settled = status in SETTLED_STATUSES
    found = draw(st.lists(refunds(), max_size=3, unique_by=lambda r: r.out_refund_no))
    return LocalPayment(
        payment_id=new_id(),
        out_trade_no=out_trade_no,
        channel=draw(st.sampled_from(PaymentChannel)),
        amount=draw(amounts),
        status=status,
        merchant=None,
        succeeded_at=draw(instants) if settled else None,
        refunds=tuple(found) if settled else (),
    )


@st.composite
def books(draw: st.DrawFn) -> list[LocalPayment]:
    numbers = draw(st.lists(st.sampled_from(NUMBERS), unique=True))
    return [draw(payments(number)) for number in numbers]


@st.composite
def lines(draw: st.DrawFn) -> StatementEntry:
    kind = draw(st.sampled_from(StatementEntryKind))
    return StatementEntry(
        kind=kind,
        out_trade_no=draw(st.sampled_from(NUMBERS)),
        transaction_id="4200000000",
        amount=draw(amounts),
        at=START + timedelta(hours=1),
        out_refund_no=draw(st.sampled_from(REFUND_NUMBERS))
        if kind is StatementEntryKind.REFUND
        else None,
    )


def _done_in_day(local: list[LocalPayment]) -> dict[tuple[str, str, str | None], datetime]:
    """The oracle: records of the group the day's statement must list, with their time."""
    done: dict[tuple[str, str, str | None], datetime] = {}
    for p in local:
        if p.channel not in GROUP.channels:
            continue
        if p.status in SETTLED_STATUSES and p.succeeded_at and START <= p.succeeded_at < END:
            done[("payment", p.out_trade_no, None)] = p.succeeded_at
        for r in p.refunds:
            if (
                r.status is RefundStatus.SUCCEEDED
                and r.finished_at
                and START <= r.finished_at < END
            ):
                done[("refund", p.out_trade_no, r.out_refund_no)] = r.finished_at
    return done


def _key(line: StatementEntry) -> tuple[str, str, str | None]:
    return (line.kind.value, line.out_trade_no, line.out_refund_no)


@given(books(), st.lists(lines(), max_size=12), st.lists(lines(), max_size=4))
def test_every_line_is_matched_or_in_exactly_one_finding(
    local: list[LocalPayment], statement: list[StatementEntry], day_before: list[StatementEntry]
) -> None:
    result = compare(statement, local, GROUP, START, END, lambda: day_before)
    accounted = Counter(result.matched)
    for finding in result.findings:
        accounted.update(finding.lines)
    assert accounted == Counter(range(len(statement)))
    assert len({f.key for f in result.findings}) == len(result.findings)


@given(books(), st.lists(lines(), max_size=12), st.lists(lines(), max_size=4))
def test_records_done_in_the_day_and_not_on_the_statement_are_missing_at_the_gateway(
    local: list[LocalPayment], statement: list[StatementEntry], day_before: list[StatementEntry]
) -> None:
    result = compare(statement, local, GROUP, START, END, lambda: day_before)
    listed = {_key(line) for line in statement}
    earlier = {_key(line) for line in day_before}
    expected = {
        key
        for key, at in _done_in_day(local).items()
        if key not in listed and not (at < START + MIDNIGHT_GRACE and key in earlier)
    }
    missing = [
        (f.subject.value, f.out_trade_no, f.out_refund_no)
        for f in result.findings
        if f.kind is DiscrepancyKind.MISSING_AT_GATEWAY
    ]
    assert sorted(missing, key=str) == sorted(expected, key=str)
    assert all(f.kind is DiscrepancyKind.MISSING_AT_GATEWAY for f in result.findings if not f.lines)


@given(books(), st.lists(lines(), max_size=12))
def test_a_line_is_missing_locally_exactly_when_we_do_not_hold_it_as_done(
    local: list[LocalPayment], statement: list[StatementEntry]
) -> None:
    result = compare(statement, local, GROUP, START, END)
    by_no = {p.out_trade_no: p for p in local}
    firsts = [f for f in result.findings if f.kind is not DiscrepancyKind.DUPLICATE_LINE]
    for index in result.matched:
        assert _ours(by_no, statement[index]) == (statement[index].amount, True)
    for finding in (f for f in firsts if f.lines):
        ours = _ours(by_no, statement[finding.lines[0]])
        if ours is None:
            assert (finding.kind, finding.remedy) == (DiscrepancyKind.MISSING_LOCALLY, None)
        elif ours[0] != finding.gateway_amount:
            assert finding.kind is DiscrepancyKind.AMOUNT_MISMATCH
            assert finding.local_amount == ours[0]
        else:
            assert not ours[1]
            assert finding.kind is DiscrepancyKind.MISSING_LOCALLY
        if finding.remedy is Remedy.SETTLE:
            assert by_no[finding.out_trade_no].status in UNSETTLED


def _ours(by_no: dict[str, LocalPayment], line: StatementEntry) -> tuple[Money, bool] | None:
    """Our amount for the line's payment or refund, and whether we hold it as done."""
    payment = by_no.get(line.out_trade_no)
    if payment is None:
        return None
    if line.kind is StatementEntryKind.PAYMENT:
        return payment.amount, payment.status in SETTLED_STATUSES
    refund = payment.refund(line.out_refund_no)
    if refund is None:
        return None
    return refund.amount, refund.status is RefundStatus.SUCCEEDED


@given(books())
def test_a_statement_that_mirrors_our_books_matches_every_line(local: list[LocalPayment]) -> None:
    mirrored = [
        StatementEntry(
            kind=StatementEntryKind(kind),
            out_trade_no=number,
            out_refund_no=refund_no,
            transaction_id="4200000000",
            amount=_amount_of(local, number, refund_no),
            at=at,
        )
        for (kind, number, refund_no), at in _done_in_day(local).items()
    ]
    asked: list[bool] = []
    result = compare(mirrored, local, GROUP, START, END, lambda: asked.append(True) or [])
    assert result.findings == ()
    assert sorted(result.matched) == list(range(len(mirrored)))
    assert asked == []


def _amount_of(local: list[LocalPayment], number: str, refund_no: str | None) -> Money:
    payment = next(p for p in local if p.out_trade_no == number)
    if refund_no is None:
        return payment.amount
    refund = payment.refund(refund_no)
    assert refund is not None
    return refund.amount


def test_the_day_before_is_asked_only_for_a_record_settled_just_after_midnight() -> None:
    early = LocalPayment(
        payment_id=new_id(),
        out_trade_no=NUMBERS[0],
        channel=PaymentChannel.WECHAT_NATIVE,
        amount=Money(100),
        status=PaymentStatus.SUCCEEDED,
        merchant=None,
        succeeded_at=START + timedelta(minutes=2),
    )
    late = attrs.evolve(early, succeeded_at=START + MIDNIGHT_GRACE + timedelta(minutes=1))
    line = StatementEntry(
        kind=StatementEntryKind.PAYMENT,
        out_trade_no=NUMBERS[0],
        transaction_id="4200000000",
        amount=Money(100),
        at=START - timedelta(seconds=3),
    )
    asked: list[bool] = []

    def day_before() -> list[StatementEntry]:
        asked.append(True)
        return [line]

    assert compare([], [early], GROUP, START, END, day_before).findings == ()
    assert asked == [True]
    (missing,) = compare([], [late], GROUP, START, END, day_before).findings
    assert missing.kind is DiscrepancyKind.MISSING_AT_GATEWAY
    assert asked == [True]


def test_a_gateway_day_is_a_shanghai_day() -> None:
    assert (START.astimezone(UTC), END - START) == (
        datetime(2026, 3, 13, 16, 0, tzinfo=UTC),
        timedelta(days=1),
    )
