"""Tables of the engagement context: surveys 满意度测评, the answers of homes, feedback 问题反馈,
community directories 便民信息.

Invariants the database backs even against a buggy caller:

- one answer per home and survey: ``uq_survey_responses_tenant_id_survey_id_property_id``,
  raising ``survey.already_answered``; two members of one home submitting at once both pass
  the use case's check, and the second insert is refused here;
- a survey's window is ordered and each state's timestamps are present exactly when it says.

A survey's questions and communities, a response's answers and a directory's sections are read
and written only with their aggregate, never queried inside: each is one JSON column (JSONB on
PostgreSQL, typed in ``value_lists.py``). One directory per community.
"""

from __future__ import annotations

import sqlalchemy as sa

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
from adapters.persistence.sqlalchemy.tables.value_lists import (
    AnswerList,
    QuestionList,
    UuidSet,
    ValueTuple,
)
from adapters.persistence.sqlalchemy.types import UtcDateTime, str_enum
from estate_core.engagement.directory import DutyShift, Hotline, NearbyService, OfficeHours
from estate_core.engagement.feedback import (
    FeedbackCategory,
    FeedbackState,
    FeedbackTeam,
    ReporterKind,
)
from estate_core.engagement.survey import ProjectType, SurveyState

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

community_directories = sa.Table(
    "community_directories",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("hotlines", ValueTuple(Hotline), nullable=False),
    sa.Column("office_hours", ValueTuple(OfficeHours), nullable=False),
    sa.Column("nearby", ValueTuple(NearbyService), nullable=False),
    sa.Column("roster", ValueTuple(DutyShift), nullable=False),
    sa.Column("updated_by", sa.Uuid(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "community_id"),
    tenant_foreign_key("community_id", "communities"),
)
