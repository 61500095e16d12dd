"""Tables of the engagement context: surveys 满意度测评, the answers of homes, feedback 问题反馈.

Invariants the database backs even against a buggy caller:

- one answer per home and survey: ``uq_survey_responses_tenant_id_survey_id_property_id``,
  raising ``survey.already_answered``; two members of one home submitting at once both pass
  the use case's check, and the second insert is refused here;
- a survey's window is ordered and each state's timestamps are present exactly when it says.

A survey's questions and communities, and a response's answers, are read and written only with
their aggregate, never queried inside: each is one JSON column (JSONB on PostgreSQL).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from adapters.persistence.sqlalchemy.json_values import StringList
from adapters.persistence.sqlalchemy.metadata import (
    CONFLICT_CODE,
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.types import UtcDateTime, str_enum
from estate_core.engagement.feedback import (
    FeedbackCategory,
    FeedbackState,
    FeedbackTeam,
    ReporterKind,
)
from estate_core.engagement.questions import Answer, Question, QuestionKind
from estate_core.engagement.survey import ProjectType, SurveyState


class _Json(sa.types.TypeDecorator[Any]):
    impl = sa.JSON
    cache_ok = True
    alembic_render = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.JSON())


class UuidSet(_Json):
    """A frozenset of ids as their sorted list."""

    cache_ok = True

    def process_bind_param(self, value: frozenset[UUID] | None, dialect: Dialect) -> Any:
        return None if value is None else sorted(str(UUID(str(item))) for item in value)

    def process_result_value(self, value: Any, dialect: Dialect) -> frozenset[UUID] | None:
        return None if value is None else frozenset(UUID(item) for item in value)


class QuestionList(_Json):
    """A questionnaire: ``[{"text", "kind", "options", "required"}, ...]`` in order."""

    cache_ok = True

    def process_bind_param(self, value: tuple[Question, ...] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [
            {
                "text": q.text,
                "kind": q.kind.value,
                "options": list(q.options),
                "required": q.required,
            }
            for q in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Question, ...] | None:
        if value is None:
            return None
        return tuple(
            Question(
                text=q["text"],
                kind=QuestionKind(q["kind"]),
                options=tuple(q["options"]),
                required=bool(q["required"]),
            )
            for q in value
        )


class AnswerList(_Json):
    """A home's answers: ``[{"q": 0, "choices": [...], "score": 5, "text": ""}, ...]``."""

    cache_ok = True

    def process_bind_param(self, value: tuple[Answer, ...] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [
            {"q": a.question, "choices": list(a.choices), "score": a.score, "text": a.text}
            for a in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Answer, ...] | None:
        if value is None:
            return None
        return tuple(
            Answer(
                question=int(a["q"]),
                choices=tuple(int(c) for c in a["choices"]),
                score=None if a["score"] is None else int(a["score"]),
                text=a["text"],
            )
            for a in value
        )


surveys = sa.Table(
    "surveys",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("project_type", str_enum(ProjectType, "project_type"), nullable=False),
    sa.Column("community_ids", UuidSet(), nullable=False),
    sa.Column("opens_on", sa.Date(), nullable=False),
    sa.Column("closes_on", sa.Date(), nullable=False),
    sa.Column("questions", QuestionList(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(SurveyState, "state"), nullable=False),
    sa.Column("opened_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.CheckConstraint("opens_on <= closes_on", name="window_ordered"),
    sa.CheckConstraint("(state = 'draft') = (opened_at IS NULL)", name="opened_iff_not_draft"),
    sa.CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_iff_closed_at"),
    partial_index("ix_surveys_open", "tenant_id", "created_at", "id", where="state = 'open'"),
)
sa.Index("ix_surveys_staff_list", surveys.c.tenant_id, surveys.c.created_at.desc(), surveys.c.id)

survey_responses = sa.Table(
    "survey_responses",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("survey_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("answers", AnswerList(), nullable=False),
    sa.Column("submitted_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint(
        "tenant_id",
        "survey_id",
        "property_id",
        info={CONFLICT_CODE: "survey.already_answered"},
    ),
    tenant_foreign_key("survey_id", "surveys"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("resident_id", "residents"),
    sa.Index(
        "ix_survey_responses_tenant_id_survey_id_submitted_at_id",
        "tenant_id",
        "survey_id",
        "submitted_at",
        "id",
    ),
)

feedback = sa.Table(
    "feedback",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("reporter_kind", str_enum(ReporterKind, "reporter_kind"), nullable=False),
    sa.Column("reporter_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=True),
    sa.Column("category", str_enum(FeedbackCategory, "category"), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("screenshots", StringList(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(FeedbackState, "state"), nullable=False),
    sa.Column("team", str_enum(FeedbackTeam, "team"), nullable=True),
    sa.Column("triaged_by", sa.Uuid(), nullable=True),
    sa.Column("triaged_at", UtcDateTime(), nullable=True),
    sa.Column("answer", sa.Text(), nullable=False),
    sa.Column("answered_by", sa.Uuid(), nullable=True),
    sa.Column("answered_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.CheckConstraint("(state = 'submitted') = (team IS NULL)", name="team_iff_triaged"),
    sa.CheckConstraint(
        "(team IS NULL) = (triaged_at IS NULL) AND (team IS NULL) = (triaged_by IS NULL)",
        name="triaged_by_someone",
    ),
    sa.CheckConstraint(
        "(state = 'answered') = (answered_at IS NOT NULL)"
        " AND (answered_at IS NULL) = (answered_by IS NULL)"
        " AND (answered_at IS NULL) = (answer = '')",
        name="answer_iff_answered",
    ),
)
sa.Index(
    "ix_feedback_staff_list", feedback.c.tenant_id, feedback.c.created_at.desc(), feedback.c.id
)
sa.Index(
    "ix_feedback_by_state",
    feedback.c.tenant_id,
    feedback.c.state,
    feedback.c.created_at.desc(),
    feedback.c.id,
)
sa.Index(
    "ix_feedback_of_reporter",
    feedback.c.tenant_id,
    feedback.c.reporter_id,
    feedback.c.created_at.desc(),
    feedback.c.id,
)
