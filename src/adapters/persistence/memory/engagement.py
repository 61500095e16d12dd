"""In-memory repositories of the engagement context."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.engagement.directory import CommunityDirectory
from estate_core.engagement.feedback import Feedback, FeedbackState
from estate_core.engagement.ports import SubmittedAnswers
from estate_core.engagement.survey import Survey, SurveyResponse, SurveyState
from estate_core.shared.pagination import Page, PageRequest, paginate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_first(at: datetime, row_id: UUID) -> tuple[int, str]:
    return -((at - _EPOCH) // timedelta(microseconds=1)), str(row_id)


class InMemorySurveyRepository(InMemoryRepository[Survey]):
    table = "surveys"
    not_found_code = "survey.not_found"

    def newest_first(self, page: PageRequest) -> Page[Survey]:
        return paginate(
            self._select(lambda s: True),
            key=lambda s: _newest_first(s.created_at, s.id),
            request=page,
        )

    def open_in(self, community_ids: Collection[UUID]) -> list[Survey]:
        wanted = set(community_ids)
        found = self._select(
            lambda s: s.state is SurveyState.OPEN and bool(s.community_ids & wanted)
        )
        return sorted(found, key=lambda s: _newest_first(s.created_at, s.id))


class InMemorySurveyResponseRepository(InMemoryRepository[SurveyResponse]):
    table = "survey_responses"
    unique = (("survey_id", "property_id"),)
    conflict_codes: ClassVar[dict[tuple[str, ...], str]] = {
        ("survey_id", "property_id"): "survey.already_answered"
    }
    not_found_code = "survey_response.not_found"

    def for_home(self, survey_id: UUID, property_id: UUID) -> SurveyResponse | None:
        found = self._select(lambda r: r.survey_id == survey_id and r.property_id == property_id)
        return found[0] if found else None

    def answered_homes(self, survey_id: UUID, property_ids: Collection[UUID]) -> frozenset[UUID]:
        wanted = set(property_ids)
        return frozenset(
            r.property_id
            for r in self._select(lambda r: r.survey_id == survey_id and r.property_id in wanted)
        )

    def submitted(self, survey_id: UUID) -> list[SubmittedAnswers]:
        return [
            SubmittedAnswers(community_id=r.community_id, answers=r.answers)
            for r in sorted(
                self._select(lambda r: r.survey_id == survey_id),
                key=lambda r: (r.submitted_at, str(r.id)),
            )
        ]

    def bound_homes(self, community_ids: Collection[UUID]) -> dict[UUID, int]:
        wanted = set(community_ids)
        tenant_id = self._session.tenant_id
        with self._session.store.lock:
            households = [row.value for row in self._session.store.table("households").values()]
        counted = Counter(
            h.community_id
            for h in households
            if h.tenant_id == tenant_id and h.community_id in wanted and h.owner_id is not None
        )
        return {community_id: counted[community_id] for community_id in wanted}


class InMemoryFeedbackRepository(InMemoryRepository[Feedback]):
    table = "feedback"
    not_found_code = "feedback.not_found"

    def listed(self, page: PageRequest, state: FeedbackState | None = None) -> Page[Feedback]:
        return paginate(
            self._select(lambda f: state is None or f.state is state),
            key=lambda f: _newest_first(f.created_at, f.id),
            request=page,
        )

    def of_reporter(self, reporter_id: UUID, page: PageRequest) -> Page[Feedback]:
        return paginate(
            self._select(lambda f: f.reporter_id == reporter_id),
            key=lambda f: _newest_first(f.created_at, f.id),
            request=page,
        )


class InMemoryCommunityDirectoryRepository(InMemoryRepository[CommunityDirectory]):
    table = "community_directories"
    unique = (("community_id",),)
    not_found_code = "directory.not_found"

    def for_community(self, community_id: UUID) -> CommunityDirectory | None:
        found = self._select(lambda d: d.community_id == community_id)
        return found[0] if found else None
