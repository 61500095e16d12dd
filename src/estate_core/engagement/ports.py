"""Ports of the engagement context: its repositories and the unit of work that holds them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.engagement.directory import CommunityDirectory
from estate_core.engagement.feedback import Feedback, FeedbackState
from estate_core.engagement.questions import Answer
from estate_core.engagement.survey import Survey, SurveyResponse
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class SubmittedAnswers:
    """The answers of one home as the results count them (read model, no aggregate)."""

    community_id: UUID
    answers: tuple[Answer, ...]


class SurveyRepository(Protocol):
    def add(self, survey: Survey) -> None: ...

    def get(self, survey_id: UUID) -> Survey: ...

    def find(self, survey_id: UUID) -> Survey | None: ...

    def newest_first(self, page: PageRequest) -> Page[Survey]:
        """Every survey of the tenant, newest first (staff's list)."""
        ...

    def open_in(self, community_ids: Collection[UUID]) -> list[Survey]:
        """Open surveys addressed to any of the communities (a resident's list)."""
        ...


class SurveyResponseRepository(Protocol):
    """The answers of homes; unique by (survey, home) with the code ``survey.already_answered``."""

    def add(self, response: SurveyResponse) -> None: ...

    def get(self, response_id: UUID) -> SurveyResponse: ...

    def find(self, response_id: UUID) -> SurveyResponse | None: ...

    def for_home(self, survey_id: UUID, property_id: UUID) -> SurveyResponse | None: ...

    def answered_homes(self, survey_id: UUID, property_ids: Collection[UUID]) -> frozenset[UUID]:
        """Which of the homes have answered the survey."""
        ...

    def submitted(self, survey_id: UUID) -> list[SubmittedAnswers]:
        """Every home's answers to the survey, for the results."""
        ...

    def bound_homes(self, community_ids: Collection[UUID]) -> dict[UUID, int]:
        """Homes with a bound owner per community: the denominator of the response rate."""
        ...


class FeedbackRepository(Protocol):
    def add(self, feedback: Feedback) -> None: ...

    def get(self, feedback_id: UUID) -> Feedback: ...

    def find(self, feedback_id: UUID) -> Feedback | None: ...

    def listed(self, page: PageRequest, state: FeedbackState | None = None) -> Page[Feedback]:
        """Feedback of the tenant, newest first, optionally in one state (staff's list)."""
        ...

    def of_reporter(self, reporter_id: UUID, page: PageRequest) -> Page[Feedback]:
        """What one resident or staff member reported, newest first (我的反馈)."""
        ...


class CommunityDirectoryRepository(Protocol):
    """One directory per community; unique by community."""

    def add(self, directory: CommunityDirectory) -> None: ...

    def get(self, directory_id: UUID) -> CommunityDirectory: ...

    def find(self, directory_id: UUID) -> CommunityDirectory | None: ...

    def for_community(self, community_id: UUID) -> CommunityDirectory | None: ...


class EngagementUnitOfWork(PropertiesUnitOfWork, Protocol):
    """Identity and properties (who lives where), plus the engagement repositories."""

    @property
    def surveys(self) -> SurveyRepository: ...

    @property
    def survey_responses(self) -> SurveyResponseRepository: ...

    @property
    def feedback(self) -> FeedbackRepository: ...

    @property
    def directories(self) -> CommunityDirectoryRepository: ...
