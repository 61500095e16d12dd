"""ReconciliationReport 对账报告: one gateway account's statement of one day against our books.

One report per (tenant, channel group, day). Running the same day again refreshes the report
instead of adding another: a discrepancy found again keeps its identity and its state, an open
one no longer found is fixed by the run itself (the books now agree), a new one is added open.

Each discrepancy has a small state machine, ``open → explained`` (staff say why, with a note:
e.g. a test payment made on the merchant platform) ``| fixed`` (staff, or reconciliation itself,
put the books right). Explained and fixed are final.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.payments import events
from estate_core.payments.comparison import DiscrepancyKind, Finding
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.values import ChannelGroup
from estate_core.shared.errors import InvalidInput, InvalidTransition, NotFound
from estate_core.shared.events import Aggregate
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

NOTE_MAX = 200

SETTLED_BY_RUN = "settled by reconciliation"
REFUND_RECORDED_BY_RUN = "refund result recorded by reconciliation"
GONE_ON_RERUN = "no longer found when the day was reconciled again"


class DiscrepancyState(enum.StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"
    FIXED = "fixed"


class DiscrepancyAction(enum.StrEnum):
    EXPLAIN = "explain"
    FIX = "fix"


_S = DiscrepancyState

DISCREPANCY_TRANSITIONS: dict[tuple[DiscrepancyState, DiscrepancyAction], DiscrepancyState] = {
    (_S.OPEN, DiscrepancyAction.EXPLAIN): _S.EXPLAINED,
    (_S.OPEN, DiscrepancyAction.FIX): _S.FIXED,
}
"""The discrepancy's state machine: (state, action) → next state; every other pair is refused."""


@attrs.frozen(kw_only=True)
class Discrepancy:
    """One difference between the statement and our books; ``resolved_by`` None is the system."""

    id: UUID
    kind: DiscrepancyKind
    subject: StatementEntryKind
    out_trade_no: str
    out_refund_no: str | None
    transaction_id: str | None
    gateway_amount: Money | None
    local_amount: Money | None
    payment_id: UUID | None
    lines: int
    state: DiscrepancyState
    note: str | None
    found_at: datetime
    resolved_by: UUID | None
    resolved_at: datetime | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.subject, self.out_trade_no, self.out_refund_no or "")


def _note(note: str | None, *, required: bool) -> str | None:
    note = (note or "").strip()
    if required and not note:
        raise InvalidInput("reconciliation.note_required", "say why the difference is right")
    if len(note) > NOTE_MAX:
        raise InvalidInput("reconciliation.note_too_long", f"a note is at most {NOTE_MAX} chars")
    return note or None


@attrs.frozen(kw_only=True)
class Resolved:
    """A finding reconciliation fixed itself on this run, with how."""

    finding: Finding
    note: str


@attrs.define(slots=False, eq=False, kw_only=True)
class ReconciliationReport(Aggregate):
    """对账报告 of one channel group's gateway account for one local (Asia/Shanghai) day."""

    id: UUID
    tenant_id: UUID
    channel_group: ChannelGroup
    day: date
    created_at: datetime
    last_run_at: datetime
    runs: int = 0
    lines: int = 0
    matched: int = 0
    discrepancies: list[Discrepancy] = attrs.field(factory=list)

    @classmethod
    def start(
        cls, *, report_id: UUID, tenant_id: UUID, group: ChannelGroup, day: date, at: datetime
    ) -> ReconciliationReport:
        return cls(
            id=report_id,
            tenant_id=tenant_id,
            channel_group=group,
            day=day,
            created_at=at,
            last_run_at=at,
        )

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.discrepancies if d.state is DiscrepancyState.OPEN)

    def discrepancy(self, discrepancy_id: UUID) -> Discrepancy:
        found = next((d for d in self.discrepancies if d.id == discrepancy_id), None)
        if found is None:
            raise NotFound("reconciliation.discrepancy_not_found", "no such discrepancy")
        return found

    def record_run(
        self,
        *,
        lines: int,
        matched: int,
        findings: Sequence[Finding],
        resolved: Sequence[Resolved],
        at: datetime,
    ) -> None:
        """Take one run's result: refresh what was found before, add what is new."""
        if matched < 0 or lines < matched:
            raise InvalidInput("reconciliation.invalid_counts", "matched lines exceed the lines")
        by_key = {d.key: d for d in self.discrepancies}
        seen: set[tuple[str, str, str, str]] = set()
        for finding, note in [(f, None) for f in findings] + [
            (r.finding, r.note) for r in resolved
        ]:
            seen.add(finding.key)
            existing = by_key.get(finding.key)
            if existing is None:
                existing = self._add(finding, at)
            elif existing.state is DiscrepancyState.OPEN:
                existing = self._replace(existing, _refreshed(existing, finding))
            if note is not None and existing.state is DiscrepancyState.OPEN:
                self._move(existing, DiscrepancyAction.FIX, note, None, at)
        for gone in [d for d in self.discrepancies if d.key not in seen]:
            if gone.state is DiscrepancyState.OPEN:
                self._move(gone, DiscrepancyAction.FIX, GONE_ON_RERUN, None, at)
        self.runs += 1
        self.lines, self.matched, self.last_run_at = lines, matched, at
        self.record(
            events.ReconciliationRun(
                report_id=self.id,
                channel_group=self.channel_group,
                day=self.day,
                run=self.runs,
                lines=lines,
                matched=matched,
                open_discrepancies=self.open_count,
            )
        )

    def explain(self, discrepancy_id: UUID, note: str, by: UUID, at: datetime) -> Discrepancy:
        """Staff accept a difference as right (说明), saying why."""
        found = self.discrepancy(discrepancy_id)
        _next(found, DiscrepancyAction.EXPLAIN)
        return self._move(found, DiscrepancyAction.EXPLAIN, _note(note, required=True), by, at)

    def fix(self, discrepancy_id: UUID, note: str | None, by: UUID, at: datetime) -> Discrepancy:
        """Staff put the books right (e.g. recorded a refund made on the merchant platform)."""
        found = self.discrepancy(discrepancy_id)
        _next(found, DiscrepancyAction.FIX)
        return self._move(found, DiscrepancyAction.FIX, _note(note, required=False), by, at)

    def _add(self, finding: Finding, at: datetime) -> Discrepancy:
        added = Discrepancy(
            id=new_id(),
            kind=finding.kind,
            subject=finding.subject,
            out_trade_no=finding.out_trade_no,
            out_refund_no=finding.out_refund_no,
            transaction_id=finding.transaction_id,
            gateway_amount=finding.gateway_amount,
            local_amount=finding.local_amount,
            payment_id=finding.payment_id,
            lines=len(finding.lines),
            state=DiscrepancyState.OPEN,
            note=None,
            found_at=at,
            resolved_by=None,
            resolved_at=None,
        )
        self.discrepancies.append(added)
        self.record(
            events.DiscrepancyFound(
                report_id=self.id,
                discrepancy_id=added.id,
                kind=added.kind,
                subject=added.subject,
                out_trade_no=added.out_trade_no,
                out_refund_no=added.out_refund_no,
                gateway_amount=added.gateway_amount,
                local_amount=added.local_amount,
            )
        )
        return added

    def _replace(self, old: Discrepancy, new: Discrepancy) -> Discrepancy:
        self.discrepancies[self.discrepancies.index(old)] = new
        return new

    def _move(
        self,
        found: Discrepancy,
        action: DiscrepancyAction,
        note: str | None,
        by: UUID | None,
        at: datetime,
    ) -> Discrepancy:
        state = _next(found, action)
        moved = attrs.evolve(found, state=state, note=note, resolved_by=by, resolved_at=at)
        self._replace(found, moved)
        self.record(
            events.DiscrepancyResolved(
                report_id=self.id,
                discrepancy_id=found.id,
                state=state,
                note=note,
                resolved_by=by,
            )
        )
        return moved


def _next(found: Discrepancy, action: DiscrepancyAction) -> DiscrepancyState:
    state = DISCREPANCY_TRANSITIONS.get((found.state, action))
    if state is None:
        raise InvalidTransition("discrepancy", found.state, action)
    return state


def _refreshed(existing: Discrepancy, finding: Finding) -> Discrepancy:
    return attrs.evolve(
        existing,
        transaction_id=finding.transaction_id,
        gateway_amount=finding.gateway_amount,
        local_amount=finding.local_amount,
        payment_id=finding.payment_id,
        lines=len(finding.lines),
    )
