"""Complaint's state machine driven by random valid and invalid commands.

A model with its own table predicts each outcome. After every step: a refused command raised the
predicted code and changed nothing; an accepted one reached the predicted state with exactly one
more timeline entry and one more event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from estate_core.service.common import Rating
from estate_core.service.complaint import Complaint, ComplaintCategory, ComplaintKind
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

COMPLAINANT, STRANGER, HANDLER = new_id(), new_id(), new_id()
EXPECTED_SOURCES = {
    "accept": {"submitted"},
    "reply": {"accepted"},
    "reopen": {"replied"},
    "rate": {"replied"},
    "auto_close": {"replied"},
    "visit": {"closed"},
}
WINDOW = timedelta(days=7)


def _snapshot(complaint: Complaint) -> tuple[dict[str, Any], int]:
    """Every field (lists copied; everything in them is frozen) and the pending events."""
    fields = {field.name: getattr(complaint, field.name) for field in attrs.fields(Complaint)}
    copied = {name: list(v) if isinstance(v, list) else v for name, v in fields.items()}
    return copied, len(complaint.pending_events)


class ComplaintMachine(RuleBasedStateMachine):
    complaint: Complaint

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
        self.status = "submitted"
        self.replied_at: datetime | None = None
        self.reopened = False
        self.visited = False
        self.steps = 1

    @initialize(kind=st.sampled_from(ComplaintKind), category=st.sampled_from(ComplaintCategory))
    def submit(self, kind: ComplaintKind, category: ComplaintCategory) -> None:
        self.complaint = Complaint.submit(
            id=new_id(),
            tenant_id=new_id(),
            community_id=new_id(),
            property_id=new_id(),
            resident_id=COMPLAINANT,
            kind=kind,
            category=category,
            text="夜间施工噪音",
            photos=[],
            contact_phone="13800000001",
            at=self.now,
        )

    def _refused(self, action: str) -> str | None:
        if self.status not in EXPECTED_SOURCES[action]:
            return "complaint.invalid_transition"
        return None

    def _step(self, command: Callable[[], None], refusal: str | None, target: str) -> None:
        before = _snapshot(self.complaint)
        event(f"{self.complaint.status.value} -> {target}: {refusal or 'ok'}")
        if refusal is not None:
            with pytest.raises(DomainError) as raised:
                command()
            assert raised.value.code == refusal
            assert _snapshot(self.complaint) == before
            return
        command()
        self.status = target
        self.steps += 1
        assert len(self.complaint.timeline) == len(before[0]["timeline"]) + 1
        assert len(self.complaint.pending_events) == before[1] + 1
        assert self.complaint.timeline[-1].status == target

    @rule()
    def accept(self) -> None:
        self._step(
            lambda: self.complaint.accept(HANDLER, self.now), self._refused("accept"), "accepted"
        )

    @rule(text=st.sampled_from(["", "已处理"]))
    def reply(self, text: str) -> None:
        refusal = self._refused("reply")
        if refusal is None and not text:
            refusal = "complaint.invalid_reply"
        self._step(lambda: self.complaint.reply(HANDLER, text, self.now), refusal, "replied")
        if refusal is None:
            self.replied_at = self.now

    @rule(
        resident=st.sampled_from([COMPLAINANT, STRANGER]),
        reason=st.sampled_from(["", "问题依旧"]),
    )
    def reopen(self, resident: UUID, reason: str) -> None:
        refusal = self._refused("reopen")
        if refusal is None and resident != COMPLAINANT:
            refusal = "complaint.not_complainant"
        if refusal is None and self.reopened:
            refusal = "complaint.reopen_used"
        if refusal is None:
            assert self.replied_at is not None
            if self.now >= self.replied_at + WINDOW:
                refusal = "complaint.reopen_window_closed"
        if refusal is None and not reason:
            refusal = "service.reason_required"
        self._step(lambda: self.complaint.reopen(resident, reason, self.now), refusal, "accepted")
        if refusal is None:
            self.reopened = True
            self.replied_at = None

    @rule(
        resident=st.sampled_from([COMPLAINANT, STRANGER, STRANGER]),
        stars=st.sampled_from([0, 2, 5, 6]),
    )
    def rate(self, resident: UUID, stars: int) -> None:
        refusal = None if 1 <= stars <= 5 else "service.invalid_rating"
        refusal = refusal or self._refused("rate")
        if refusal is None and resident != COMPLAINANT:
            refusal = "complaint.not_complainant"
        self._step(
            lambda: self.complaint.rate(resident, Rating(stars=stars), self.now), refusal, "closed"
        )

    @rule()
    def auto_close(self) -> None:
        refusal = self._refused("auto_close")
        if refusal is None:
            assert self.replied_at is not None
            if self.now < self.replied_at + WINDOW:
                refusal = "service.too_early_to_close"
        self._step(lambda: self.complaint.close_unrated(self.now), refusal, "closed")

    @rule(note=st.sampled_from(["", "业主满意"]))
    def visit(self, note: str) -> None:
        refusal = self._refused("visit")
        if refusal is None and self.visited:
            refusal = "service.already_visited"
        if refusal is None and not note:
            refusal = "complaint.invalid_note"
        self._step(lambda: self.complaint.record_visit(HANDLER, self.now, note), refusal, "closed")
        if refusal is None:
            self.visited = True

    @rule(hours=st.sampled_from([1, 24 * 6, 24 * 7]))
    def wait(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @precondition(lambda self: self.status in ("submitted", "accepted", "closed"))
    @rule()
    def proceed(self) -> None:
        """The next step of a normal case, so random walks reach the late states often."""
        if self.status == "submitted":
            self.accept()
        elif self.status == "accepted":
            self.reply("已处理")
        else:
            self.visit("业主满意")

    @precondition(lambda self: self.status == "replied")
    @rule(
        move=st.sampled_from(["reopen", "rate", "wait_and_close", "wait_and_reopen"]),
    )
    def answer_the_reply(self, move: str) -> None:
        """What a complainant does with a reply: reopen it (in time or too late), rate it, or
        let it close by itself."""
        if move.startswith("wait"):
            self.wait(24 * 7)
        if move.endswith("reopen"):
            self.reopen(COMPLAINANT, "问题依旧")
        elif move == "rate":
            self.rate(COMPLAINANT, 5)
        else:
            self.auto_close()

    @invariant()
    def matches_the_model(self) -> None:
        assert self.complaint.status.value == self.status
        assert len(self.complaint.timeline) == self.steps
        assert len(self.complaint.pending_events) == self.steps
        assert (self.complaint.reopened_at is not None) == self.reopened


ComplaintMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None
)
test_complaint_state_machine = ComplaintMachine.TestCase
