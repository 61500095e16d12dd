"""Public funds 公共收支 (seed 001 §2.2.4): staff record, bound residents of the community read."""

from __future__ import annotations

from datetime import date

from billing_world import World, new_community

from estate_core.billing import funds
from estate_core.billing.ledger import FundEntryKind
from estate_core.identity.model import Resident
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of


def _record(world: World, kind: FundEntryKind, yuan: str, actor: StaffActor | None = None) -> None:
    funds.record_fund_entry(
        world.uow,
        world.clock,
        actor or world.admin,
        funds.RecordFundEntry(
            community_id=world.community_id,
            kind=kind,
            category="大修基金",
            amount=Money.yuan(yuan),
            note="电梯维修" if kind is FundEntryKind.EXPENSE else "2026 年一季度归集",
            on=date(2026, 3, 1),
        ),
    )


def _statement(world: World, actor: ResidentActor | StaffActor) -> funds.FundStatement:
    return funds.public_fund_statement(world.uow, world.clock, actor, world.community_id)


def test_the_balance_is_income_minus_expense_and_owners_can_read_it(world: World) -> None:
    owner = world.owner_of(world.home())
    _record(world, FundEntryKind.INCOME, "10000.00")
    _record(world, FundEntryKind.EXPENSE, "3500.50")
    statement = _statement(world, owner)
    assert (statement.total_income, statement.total_expense, statement.balance) == (
        Money.yuan("10000.00"),
        Money.yuan("3500.50"),
        Money.yuan("6499.50"),
    )
    assert len(statement.entries.items) == 2


def test_an_expense_beyond_the_balance_is_recorded_and_shows_a_deficit(world: World) -> None:
    _record(world, FundEntryKind.EXPENSE, "100.00")
    assert _statement(world, world.admin).balance == Money.yuan("-100.00")


def test_residents_not_bound_in_the_community_cannot_read_its_funds(world: World) -> None:
    elsewhere = world.owner_of(world.home(community_id=new_community(world.uow, "别的小区")))
    with world.uow:
        unbound = Resident(
            id=new_id(),
            tenant_id=world.uow.tenant_id,
            phone="13700000000",
            created_at=world.clock.now(),
        )
        world.uow.residents.add(unbound)
        world.uow.commit()
    for actor in (elsewhere, ResidentActor(resident_id=unbound.id)):
        assert code_of(lambda actor=actor: _statement(world, actor)) == "fund.not_bound"


def test_recording_needs_the_fund_manage_permission(world: World) -> None:
    reader = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))
    assert (
        code_of(lambda: _record(world, FundEntryKind.INCOME, "1.00", reader))
        == "permission.missing"
    )
    assert _statement(world, reader).balance == Money(0)


def test_an_entry_is_for_a_positive_amount_on_a_past_day(world: World) -> None:
    assert code_of(lambda: _record(world, FundEntryKind.INCOME, "0")) == "fund.invalid_amount"
    future = funds.RecordFundEntry(
        community_id=world.community_id,
        kind=FundEntryKind.INCOME,
        category="大修基金",
        amount=Money(100),
        on=date(2026, 3, 16),
    )
    assert (
        code_of(lambda: funds.record_fund_entry(world.uow, world.clock, world.admin, future))
        == "fund.future_entry"
    )
