"""Every parser at the edges takes arbitrary text (issue 15): whatever people type or a file
holds (full-width digits, control characters, very long strings, stray bytes), the answer is a
valid value or a domain error with a stable code, never another exception."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import imports as bill_imports
from estate_core.billing import services as billing
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory
from estate_core.community.visitor import normalize_plate
from estate_core.identity.model import Community, normalize_phone
from estate_core.identity.roles import check_role_code
from estate_core.properties import imports as owner_imports
from estate_core.properties import services as properties
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import MAX_FEN, Money
from estate_core.shared.pagination import decode_cursor
from estate_core.shared.text import check_text

TRICKY = (
    "0123456789０１２３４５６７８９٠١٢٣¹²³"
    "+-－＋.,，。/:eEnNaAsSiIfFtTyY¥￥㎡m² \t\u3000\n\r\x00\x07\x1b\x85\u2028\ufeff"
    "\"'川京沪Ａ住宅车位"
)
texts = st.one_of(
    st.text(),
    st.text(alphabet=TRICKY, max_size=40),
    st.text(alphabet=TRICKY, min_size=200, max_size=5_000),
    st.sampled_from(["sNaN", "-sNaN1", "NaN", "Infinity", "1e999999999", "9" * 400, "0000-01"]),
)
files = st.one_of(
    st.binary(max_size=2_000),
    st.lists(st.lists(texts, max_size=8), max_size=6).map(
        lambda rows: "\n".join(",".join(cells) for cells in rows)
    ),
)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


def _domain_error_or_value(parse: Callable[[], Any]) -> Any:
    """What ``parse`` returns, or None when it raised a domain error (with a stable code); any
    other exception fails the test."""
    refused: DomainError | None = None
    try:
        return parse()
    except DomainError as error:
        refused = error
    assert refused.code
    return None


@given(texts)
def test_a_phone_is_eleven_ascii_digits_or_a_domain_error(text: str) -> None:
    phone = _domain_error_or_value(lambda: normalize_phone(text))
    assert phone is None or (len(phone) == 11 and phone.isascii() and phone.isdigit())


@given(texts)
def test_an_amount_is_money_a_column_holds_or_a_domain_error(text: str) -> None:
    amount = _domain_error_or_value(lambda: Money.yuan(text))
    assert amount is None or abs(amount.fen) <= MAX_FEN


@given(texts)
def test_identifiers_are_exact_or_a_domain_error(text: str) -> None:
    code = _domain_error_or_value(lambda: check_role_code(text))
    assert code is None or ("\n" not in code and code == text)
    plate = _domain_error_or_value(lambda: normalize_plate(text))
    assert plate is None or (plate == "" or ("\n" not in plate and len(plate) <= 8))
    _domain_error_or_value(lambda: decode_cursor(text))


@given(texts, st.integers(min_value=1, max_value=100))
def test_a_text_field_fits_its_limit_or_is_a_domain_error(text: str, limit: int) -> None:
    value = _domain_error_or_value(lambda: check_text(text, "x.invalid", "x", limit))
    assert value is None or (0 < len(value) <= limit and not CONTROL.search(value))


@given(files)
def test_any_file_is_rows_or_a_domain_error(data: bytes | str) -> None:
    parsers: list[Callable[[bytes | str], list[dict[str, str]]]] = [
        owner_imports.parse_owner_csv,
        bill_imports.parse_bill_csv,
    ]
    for parse in parsers:
        rows = _domain_error_or_value(functools.partial(parse, data))
        assert rows is None or all(isinstance(value, str) for r in rows for value in r.values())


def _world() -> tuple[InMemoryUnitOfWork, FixedClock, Any]:
    clock = FixedClock(AT)
    uow = InMemoryUnitOfWork(InMemoryStore(), new_id(), clock)
    community_id = new_id()
    with uow:
        uow.communities.add(
            Community.create(
                id=community_id,
                tenant_id=uow.tenant_id,
                name="阳光花园",
                address="",
                time_zone="Asia/Shanghai",
            )
        )
        uow.commit()
    properties.register_property(
        uow,
        ADMIN,
        properties.RegisterProperty(
            community_id=community_id,
            kind=PropertyKind.RESIDENCE,
            building="1",
            unit="1",
            room="101",
            area=Decimal("88.00"),
        ),
    )
    billing.create_fee_item(
        uow,
        ADMIN,
        billing.CreateFeeItem(
            community_id=community_id,
            name="物业费",
            category=FeeCategory.PROPERTY_FEE,
            calculation=Calculation.PER_AREA,
            unit_price=Decimal("2.50"),
            property_kinds=frozenset({PropertyKind.RESIDENCE}),
            cycle_months=1,
            first_period_start=date(2026, 1, 1),
            due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
        ),
    )
    return uow, clock, community_id


cells = st.one_of(texts, st.sampled_from(["1", "101", "2026-03", "250.00", "13800138001"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries(dict.fromkeys(bill_imports.COLUMN_ALIASES.values(), cells)))
def test_any_bill_row_imports_or_is_refused_with_row_errors(row: dict[str, str]) -> None:
    uow, clock, community_id = _world()
    command = bill_imports.ImportBills(community_id=community_id, rows=[row])
    _domain_error_or_value(lambda: bill_imports.import_bills(uow, clock, ADMIN, command))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries(dict.fromkeys(owner_imports.COLUMN_ALIASES.values(), cells)))
def test_any_owner_row_imports_or_is_refused_with_row_errors(row: dict[str, str]) -> None:
    uow, clock, community_id = _world()
    command = owner_imports.ImportOwners(community_id=community_id, rows=[row])
    _domain_error_or_value(lambda: owner_imports.import_owners(uow, clock, ADMIN, command))
