"""The prepayment ledger 预缴: the balance is the sum of the entries and never negative."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_core.billing.ledger import EntryKind, PrepaymentLedger
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, total

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def _ledger() -> PrepaymentLedger:
    return PrepaymentLedger(
        id=new_id(), tenant_id=new_id(), community_id=new_id(), property_id=new_id()
    )


operations = st.lists(
    st.tuples(st.sampled_from(list(EntryKind)), st.integers(min_value=-100, max_value=50_000)),
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(operations)
def test_balance_is_the_sum_of_the_entries_and_never_negative(
    steps: list[tuple[EntryKind, int]],
) -> None:
    ledger = _ledger()
    for kind, fen in steps:
        before = (ledger.balance, len(ledger.entries))
        try:
            if kind is EntryKind.CREDIT:
                ledger.credit(Money(fen), "top_up", new_id(), AT)
            else:
                ledger.debit(Money(fen), "bill", new_id(), AT)
        except DomainError:
            assert (ledger.balance, len(ledger.entries)) == before
        signed = [e.amount if e.kind is EntryKind.CREDIT else -e.amount for e in ledger.entries]
        assert ledger.balance == total(signed)
        assert not ledger.balance.is_negative


def test_a_debit_above_the_balance_is_refused() -> None:
    ledger = _ledger()
    ledger.credit(Money(1_000), "top_up", new_id(), AT)
    with pytest.raises(DomainError) as raised:
        ledger.debit(Money(1_001), "bill", new_id(), AT)
    assert raised.value.code == "prepayment.insufficient_balance"
    assert ledger.balance == Money(1_000)


def test_entries_are_for_positive_amounts_with_a_reason() -> None:
    ledger = _ledger()
    with pytest.raises(DomainError) as zero:
        ledger.credit(Money(0), "top_up", None, AT)
    with pytest.raises(DomainError) as no_reason:
        ledger.credit(Money(100), " ", None, AT)
    assert (zero.value.code, no_reason.value.code) == (
        "prepayment.invalid_amount",
        "prepayment.reason_required",
    )


def test_every_entry_is_announced_with_the_balance_after_it() -> None:
    ledger = _ledger()
    reference = new_id()
    entry = ledger.credit(Money(500), "top_up", reference, AT)
    ledger.debit(Money(200), "bill", new_id(), AT)
    credited, debited = ledger.pending_events
    assert (type(credited).__name__, type(debited).__name__) == (
        "PrepaymentCredited",
        "PrepaymentDebited",
    )
    assert credited.entry_id == entry.id  # type: ignore[attr-defined]
    assert credited.reference_id == reference  # type: ignore[attr-defined]
    assert debited.balance == Money(300)  # type: ignore[attr-defined]
