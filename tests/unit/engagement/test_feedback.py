"""Feedback 问题反馈: reported by residents and staff, triaged to a team, answered to the inbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore
from engagement_builders import Estate, staff
from estate_core.engagement.feedback import (
    FEEDBACK_TRANSITIONS,
    MAX_SCREENSHOTS,
    Feedback,
    FeedbackAction,
    FeedbackCategory,
    FeedbackState,
    FeedbackTeam,
    ReporterKind,
)
from estate_core.engagement.services.feedback import (
    ReportFeedback,
    answer_feedback,
    feedback_detail,
    feedback_list,
    my_feedback,
    report_feedback,
    triage_feedback,
)
from estate_core.shared.access import Permission
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest
from world_builders import code_of

_AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
CRASH = ReportFeedback(
    category=FeedbackCategory.FAULT,
    description="缴费页面点击支付后闪退",
    screenshots=("uploads/feedback/1.png",),
)


def _feedback(state: FeedbackState, clock: FixedClock) -> Feedback:
    feedback = Feedback.report(
        id=new_id(),
        tenant_id=new_id(),
        reporter_kind=ReporterKind.RESIDENT,
        reporter_id=new_id(),
        community_id=None,
        category=FeedbackCategory.FAULT,
        description="打不开",
        screenshots=(),
        now=clock.now(),
    )
    if state is not FeedbackState.SUBMITTED:
        feedback.triage(FeedbackTeam.PLATFORM, new_id(), clock.now())
    if state is FeedbackState.ANSWERED:
        feedback.reply("已修复", new_id(), clock.now())
    return feedback


@pytest.mark.parametrize("state", list(FeedbackState))
@pytest.mark.parametrize("action", list(FeedbackAction))
def test_every_transition_is_the_table_s(
    state: FeedbackState, action: FeedbackAction, clock: FixedClock
) -> None:
    feedback = _feedback(state, clock)
    allowed = FEEDBACK_TRANSITIONS.get((state, action))

    def act() -> None:
        if action is FeedbackAction.TRIAGE:
            feedback.triage(FeedbackTeam.DEVICES, new_id(), clock.now())
        else:
            feedback.reply("请更新到最新版本", new_id(), clock.now())

    if allowed is None:
        assert code_of(act) == "feedback.invalid_transition"
        assert feedback.state is state
    else:
        act()
        assert feedback.state is allowed


@given(st.lists(st.sampled_from(list(FeedbackAction)), max_size=8))
def test_any_sequence_of_actions_follows_the_table(actions: list[FeedbackAction]) -> None:
    clock = FixedClock(_AT)
    feedback = _feedback(FeedbackState.SUBMITTED, clock)
    expected = FeedbackState.SUBMITTED
    for action in actions:
        allowed = FEEDBACK_TRANSITIONS.get((expected, action))
        try:
            if action is FeedbackAction.TRIAGE:
                feedback.triage(FeedbackTeam.IT_CENTRE, new_id(), clock.now())
            else:
                feedback.reply("已处理", new_id(), clock.now())
        except DomainError:
            assert allowed is None
            continue
        assert allowed is not None
        expected = allowed
    assert feedback.state is expected
    assert (feedback.answered_at is None) is (expected is not FeedbackState.ANSWERED)


@given(st.lists(st.text(max_size=5), max_size=12))
def test_screenshots_are_at_most_nine_distinct_keys(keys: list[str]) -> None:
    cleaned = [k.strip() for k in keys]
    valid = len(cleaned) <= MAX_SCREENSHOTS and all(cleaned) and len(set(cleaned)) == len(cleaned)

    def report() -> Feedback:
        return Feedback.report(
            id=new_id(),
            tenant_id=new_id(),
            reporter_kind=ReporterKind.STAFF,
            reporter_id=new_id(),
            community_id=None,
            category=FeedbackCategory.OTHER,
            description="描述",
            screenshots=keys,
            now=_AT,
        )

    if valid:
        assert report().screenshots == cleaned
    else:
        assert code_of(report) in {"feedback.too_many_screenshots", "feedback.invalid_screenshot"}


def test_a_resident_reports_staff_triage_and_the_answer_reaches_the_inbox(
    estate: Estate, store: InMemoryStore
) -> None:
    resident = estate.resident()
    feedback_id = report_feedback(estate.uow, estate.clock, resident, CRASH)
    handler = staff(Permission.FEEDBACK_HANDLE)
    assert code_of(
        lambda: answer_feedback(estate.uow, estate.clock, handler, feedback_id, "已修复")
    ) == ("feedback.invalid_transition")
    triage_feedback(estate.uow, estate.clock, handler, feedback_id, FeedbackTeam.WALLET)
    answer_feedback(estate.uow, estate.clock, handler, feedback_id, "  已修复，请更新到最新版本  ")
    view = feedback_detail(estate.uow, resident, feedback_id)
    assert (view.state, view.team, view.answer) == (
        FeedbackState.ANSWERED,
        FeedbackTeam.WALLET,
        "已修复，请更新到最新版本",
    )
    [answered] = [m for m in store.outbox if m.event_name == "FeedbackAnswered"]
    assert answered.payload["reporter_id"] == str(resident.resident_id)
    assert answered.payload["reporter_kind"] == "resident"
    assert answered.payload["answer"] == "已修复，请更新到最新版本"


def test_staff_report_too_and_see_their_own(estate: Estate) -> None:
    reporter = staff(Permission.NOTICE_PUBLISH)
    feedback_id = report_feedback(estate.uow, estate.clock, reporter, CRASH)
    mine = my_feedback(estate.uow, reporter, PageRequest()).items
    assert [f.id for f in mine] == [feedback_id]
    assert mine[0].reporter_kind is ReporterKind.STAFF


def test_only_the_reporter_and_handlers_see_feedback(estate: Estate) -> None:
    resident = estate.resident()
    feedback_id = report_feedback(estate.uow, estate.clock, resident, CRASH)
    for outsider in (estate.resident(), staff(Permission.NOTICE_PUBLISH)):
        assert code_of(lambda o=outsider: feedback_detail(estate.uow, o, feedback_id)) == (
            "feedback.not_found"
        )
    assert my_feedback(estate.uow, estate.resident(), PageRequest()).items == []
    assert code_of(
        lambda: triage_feedback(
            estate.uow, estate.clock, estate.resident(), feedback_id, FeedbackTeam.PLATFORM
        )
    ) == ("permission.staff_only")


def test_handlers_list_by_status_within_their_scope(estate: Estate) -> None:
    resident = estate.resident()
    platform = report_feedback(estate.uow, estate.clock, resident, CRASH)
    here = report_feedback(
        estate.uow,
        estate.clock,
        resident,
        ReportFeedback(
            category=FeedbackCategory.SUGGESTION,
            description="希望增加停车卡续费提醒",
            community_id=estate.community_id,
        ),
    )
    far = report_feedback(
        estate.uow,
        estate.clock,
        resident,
        ReportFeedback(
            category=FeedbackCategory.ACCOUNT,
            description="绑定房产后仍显示访客",
            community_id=estate.other_community_id,
        ),
    )
    handler = staff(Permission.FEEDBACK_HANDLE, communities=frozenset({estate.community_id}))
    triage_feedback(estate.uow, estate.clock, handler, here, FeedbackTeam.PROPERTY)
    listed = feedback_list(estate.uow, handler, PageRequest()).items
    assert {f.id for f in listed} == {platform, here}
    triaged = feedback_list(estate.uow, handler, PageRequest(), FeedbackState.TRIAGED).items
    assert [f.id for f in triaged] == [here]
    assert code_of(
        lambda: triage_feedback(estate.uow, estate.clock, handler, far, FeedbackTeam.PLATFORM)
    ) == ("feedback.not_found")


@pytest.mark.parametrize("description", ["", "   ", "长" * 2001])
def test_a_description_is_required_and_bounded(estate: Estate, description: str) -> None:
    bad = ReportFeedback(category=FeedbackCategory.FAULT, description=description)
    assert code_of(lambda: report_feedback(estate.uow, estate.clock, estate.resident(), bad)) == (
        "feedback.invalid_description"
    )


def test_feedback_for_an_unknown_community_is_refused(estate: Estate) -> None:
    bad = ReportFeedback(category=FeedbackCategory.FAULT, description="坏了", community_id=new_id())
    assert code_of(lambda: report_feedback(estate.uow, estate.clock, estate.resident(), bad)) == (
        "community.not_found"
    )
