"""Mapping of the engagement context: Survey, SurveyResponse, Feedback and CommunityDirectory,
each on its own row.

Their value lists (questions, communities, answers, screenshots, directory sections) are JSON
columns typed in ``tables/value_lists.py``, so the aggregates map column for column.
"""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.persistence.sqlalchemy.mapping.support import VERSION_ATTRIBUTE
from adapters.persistence.sqlalchemy.tables.engagement import (
    community_directories,
    feedback,
    survey_responses,
    surveys,
)
from estate_core.engagement.directory import CommunityDirectory
from estate_core.engagement.feedback import Feedback
from estate_core.engagement.survey import Survey, SurveyResponse


def map_engagement(mappers: registry) -> None:
    for cls, table in (
        (Survey, surveys),
        (SurveyResponse, survey_responses),
        (Feedback, feedback),
        (CommunityDirectory, community_directories),
    ):
        mappers.map_imperatively(
            cls,
            table,
            version_id_col=table.c.version,
            properties={VERSION_ATTRIBUTE: table.c.version},
        )
