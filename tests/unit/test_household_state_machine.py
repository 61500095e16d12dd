"""Random valid and invalid binding commands never break the Household invariants."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from estate_core.properties.model import Household, MemberRole
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

PEOPLE = [new_id() for _ in range(5)]
TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)

people = st.sampled_from(PEOPLE)
roles = st.sampled_from([MemberRole.FAMILY, MemberRole.TENANT, MemberRole.OWNER])
lease_ends = st.one_of(st.none(), st.integers(-3, 3).map(lambda d: TODAY + timedelta(days=d)))


class HouseholdMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.household = Household(
            id=new_id(), tenant_id=new_id(), community_id=new_id(), property_id=new_id()
        )
        self.model: dict[UUID, tuple[MemberRole, date | None]] = {}

    def _attempt(self, command: object, expected_ok: bool) -> None:
        before = copy.deepcopy(self.household.members)
        assert callable(command)
        try:
            command()
        except DomainError:
            assert not expected_ok
            assert self.household.members == before
        else:
            assert expected_ok

    @rule(person=people)
    def bind(self, person: UUID) -> None:
        owner = self._owner()
        expected_ok = owner is None or owner == person
        self._attempt(lambda: self.household.bind_owner(person, NOW), expected_ok)
        if expected_ok:
            self.model.pop(person, None)
            self.model[person] = (MemberRole.OWNER, None)

    @rule(person=people, role=roles, lease_end=lease_ends)
    def add(self, person: UUID, role: MemberRole, lease_end: date | None) -> None:
        expected_ok = (
            role is not MemberRole.OWNER
            and not (role is MemberRole.FAMILY and lease_end is not None)
            and person not in self.model
        )
        self._attempt(
            lambda: self.household.add_member(person, role, NOW, lease_end),
            expected_ok,
        )
        if expected_ok:
            self.model[person] = (role, lease_end)

    @rule(person=people)
    def remove(self, person: UUID) -> None:
        expected_ok = person in self.model and self.model[person][0] is not MemberRole.OWNER
        self._attempt(lambda: self.household.remove_member(person), expected_ok)
        if expected_ok:
            del self.model[person]

    @rule()
    def unbind(self) -> None:
        expected_ok = self._owner() is not None
        self._attempt(self.household.unbind, expected_ok)
        if expected_ok:
            self.model.clear()

    def _owner(self) -> UUID | None:
        return next((p for p, (r, _) in self.model.items() if r is MemberRole.OWNER), None)

    @invariant()
    def at_most_one_owner(self) -> None:
        owners = [m for m in self.household.members if m.role is MemberRole.OWNER]
        assert len(owners) <= 1
        assert self.household.owner_id == self._owner()

    @invariant()
    def members_are_unique(self) -> None:
        ids = [m.resident_id for m in self.household.members]
        assert len(ids) == len(set(ids))

    @invariant()
    def roles_match_the_model_and_leases(self) -> None:
        for person in PEOPLE:
            expected = self.model.get(person)
            role = self.household.role_of(person, TODAY)
            if expected is None or (expected[1] is not None and expected[1] < TODAY):
                assert role is None
            else:
                assert role is expected[0]


TestHouseholdMachine = HouseholdMachine.TestCase
TestHouseholdMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
