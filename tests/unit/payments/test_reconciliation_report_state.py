"""The discrepancy state machine of ReconciliationReport 对账报告, driven by random commands.

Runs of the same day (with random findings, some fixed by the run itself), staff explaining and
fixing random discrepancies, valid or not. After every step: one discrepancy per key, explained
and fixed are final, an explanation has a note, an open discrepancy is one the last run found,
and a refused command raised ``discrepancy.invalid_transition`` and changed nothing.
"""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from estate_core.payments.comparison import DiscrepancyKind, Finding
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.reconciliation import (
    DISCREPANCY_TRANSITIONS,
    GONE_ON_RERUN,
    DiscrepancyAction,
    DiscrepancyState,
    ReconciliationReport,
    Resolved,
)
from estate_core.payments.values import ChannelGroup
from estate_core.shared.errors import DomainError, InvalidTransition
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
POOL = [
    Finding(
        kind=kind,
        subject=StatementEntryKind.PAYMENT,
        out_trade_no=f"T{i:06d}",
        gateway_amount=None if kind is DiscrepancyKind.MISSING_AT_GATEWAY else Money(100),
        local_amount=Money(100),
        lines=() if kind is DiscrepancyKind.MISSING_AT_GATEWAY else (i,),
    )
    for i, kind in enumerate(
        [DiscrepancyKind.MISSING_LOCALLY, DiscrepancyKind.AMOUNT_MISMATCH] * 2
        + [DiscrepancyKind.MISSING_AT_GATEWAY, DiscrepancyKind.DUPLICATE_LINE]
    )
]
NOTES = st.sampled_from(["", "  ", "商户平台测试单", "x" * 201])
FINAL = {DiscrepancyState.EXPLAINED, DiscrepancyState.FIXED}


def _report() -> ReconciliationReport:
    return ReconciliationReport.start(
        report_id=new_id(),
        tenant_id=new_id(),
        group=ChannelGroup.ALIPAY,
        day=date(2026, 3, 14),
        at=AT,
    )


class Discrepancies(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.report = _report()
        self.now = AT
        self.final: dict[tuple[str, str, str, str], tuple[DiscrepancyState, str | None]] = {}
        self.last_found: set[tuple[str, str, str, str]] = set()

    def _tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    @rule(
        found=st.sets(st.sampled_from(range(len(POOL)))),
        fixed_by_run=st.sets(st.sampled_from(range(len(POOL)))),
    )
    def run(self, found: set[int], fixed_by_run: set[int]) -> None:
        fixed_by_run -= found
        self.report.record_run(
            lines=10,
            matched=3,
            findings=[POOL[i] for i in sorted(found)],
            resolved=[
                Resolved(finding=POOL[i], note="settled by reconciliation")
                for i in sorted(fixed_by_run)
            ],
            at=self._tick(),
        )
        self.last_found = {POOL[i].key for i in found}
        for d in self.report.discrepancies:
            if d.state in FINAL:
                self.final.setdefault(d.key, (d.state, d.note))

    @precondition(lambda self: self.report.discrepancies)
    @rule(
        index=st.integers(0, 99),
        action=st.sampled_from(DiscrepancyAction),
        note=st.sampled_from(["", "  ", "商户平台测试单", "x" * 201]),
    )
    def resolve(self, index: int, action: DiscrepancyAction, note: str) -> None:
        target = self.report.discrepancies[index % len(self.report.discrepancies)]
        before = copy.deepcopy(self.report.discrepancies)
        staff = new_id()
        try:
            if action is DiscrepancyAction.EXPLAIN:
                moved = self.report.explain(target.id, note, staff, self._tick())
            else:
                moved = self.report.fix(target.id, note, staff, self._tick())
        except DomainError as refused:
            code = refused.code
        else:
            code = None
        if code is not None:
            assert self.report.discrepancies == before
            if target.state in FINAL:
                assert code == "discrepancy.invalid_transition"
            else:
                assert code in {"reconciliation.note_required", "reconciliation.note_too_long"}
                assert not note.strip() or len(note) > 200
            return
        assert target.state is DiscrepancyState.OPEN
        assert moved.state is DISCREPANCY_TRANSITIONS[(DiscrepancyState.OPEN, action)]
        assert (moved.resolved_by, moved.note) == (staff, note.strip() or None)
        self.final[moved.key] = (moved.state, moved.note)

    @invariant()
    def one_discrepancy_per_key(self) -> None:
        keys = [d.key for d in self.report.discrepancies]
        assert len(keys) == len(set(keys))

    @invariant()
    def explained_and_fixed_are_final(self) -> None:
        for d in self.report.discrepancies:
            if d.key in self.final:
                assert (d.state, d.note) == self.final[d.key]

    @invariant()
    def states_carry_their_fields(self) -> None:
        for d in self.report.discrepancies:
            assert (d.state is DiscrepancyState.OPEN) == (d.resolved_at is None)
            if d.state is DiscrepancyState.EXPLAINED:
                assert d.note
                assert d.resolved_by is not None

    @invariant()
    def open_ones_were_found_by_the_last_run(self) -> None:
        for d in self.report.discrepancies:
            if d.state is DiscrepancyState.OPEN:
                assert d.key in self.last_found
        assert self.report.open_count == sum(
            d.state is DiscrepancyState.OPEN for d in self.report.discrepancies
        )


TestDiscrepancies = Discrepancies.TestCase


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(DiscrepancyState, DiscrepancyAction))
)
def test_every_state_and_action_pair_follows_the_table(
    state: DiscrepancyState, action: DiscrepancyAction
) -> None:
    report = _report()
    report.record_run(lines=1, matched=0, findings=[POOL[0]], resolved=[], at=AT)
    (found,) = report.discrepancies
    if state is not DiscrepancyState.OPEN:
        move = report.explain if state is DiscrepancyState.EXPLAINED else report.fix
        move(found.id, "说明", new_id(), AT)
    act = report.explain if action is DiscrepancyAction.EXPLAIN else report.fix
    target = DISCREPANCY_TRANSITIONS.get((state, action))
    if target is None:
        with pytest.raises(InvalidTransition):
            act(found.id, "说明", new_id(), AT)
    else:
        assert act(found.id, "说明", new_id(), AT).state is target


def test_an_open_discrepancy_the_next_run_does_not_find_is_fixed_by_the_run() -> None:
    report = _report()
    report.record_run(lines=2, matched=0, findings=POOL[:2], resolved=[], at=AT)
    report.record_run(lines=2, matched=1, findings=POOL[1:2], resolved=[], at=AT)
    states = {d.out_trade_no: (d.state, d.note, d.resolved_by) for d in report.discrepancies}
    assert states == {
        POOL[0].out_trade_no: (DiscrepancyState.FIXED, GONE_ON_RERUN, None),
        POOL[1].out_trade_no: (DiscrepancyState.OPEN, None, None),
    }
    assert (report.runs, report.open_count) == (2, 1)
