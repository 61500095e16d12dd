"""Engagement events: what the worker turns into messages for residents and staff."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class SurveyOpened(DomainEvent):
    """Tell the residents of the communities that a questionnaire is waiting for them."""

    survey_id: UUID
    title: str
    community_ids: frozenset[UUID]
    opens_on: date
    closes_on: date


@attrs.frozen(kw_only=True)
class SurveyClosed(DomainEvent):
    survey_id: UUID


@attrs.frozen(kw_only=True)
class SurveyAnswered(DomainEvent):
    survey_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class FeedbackReported(DomainEvent):
    feedback_id: UUID
    category: str
    community_id: UUID | None


@attrs.frozen(kw_only=True)
class FeedbackTriaged(DomainEvent):
    feedback_id: UUID
    team: str


@attrs.frozen(kw_only=True)
class FeedbackAnswered(DomainEvent):
    """The worker puts ``answer`` in the reporter's inbox (and sends a template message once
    messaging lands): the core has no inbox of its own yet."""

    feedback_id: UUID
    reporter_kind: str
    reporter_id: UUID
    answer: str
