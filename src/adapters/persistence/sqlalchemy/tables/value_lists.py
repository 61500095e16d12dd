"""JSON column types of value lists kept whole on their aggregate's row (JSONB on PostgreSQL):
a survey's questions and communities, a response's answers, a directory's sections, a parking
card's renewals.

Each turns a tuple of frozen domain values into plain JSON and back; values are stored in a
canonical form (sorted id sets, ISO times) so equal values compare equal and no UPDATE is
issued for nothing.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from estate_core.engagement.questions import Answer, Question, QuestionKind
from estate_core.shared.money import Money


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


def _dump(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("refusing a naive datetime: estate stores aware UTC instants")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _load(kind: Any, value: Any) -> Any:
    if isinstance(kind, types.UnionType):
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if kind is Money:
        return Money(int(value))
    if kind is datetime:
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind is date:
        return date.fromisoformat(value)
    if kind is time:
        return time.fromisoformat(value)
    if kind is UUID:
        return UUID(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


class ValueTuple(_Json):
    """A tuple of one frozen attrs class whose fields are text, numbers, money (fen), dates,
    times, instants (ISO UTC), ids or enums, optional or not, stored as a list of objects keyed
    by field name."""

    cache_ok = True

    def __init__(self, value_class: type) -> None:
        super().__init__()
        self.value_class = value_class

    def process_bind_param(self, value: tuple[Any, ...] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [
            {f.name: _dump(getattr(item, f.name)) for f in attrs.fields(type(item))}
            for item in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Any, ...] | None:
        if value is None:
            return None
        fields = attrs.fields(attrs.resolve_types(self.value_class))
        return tuple(
            self.value_class(**{f.name: _load(f.type, item[f.name]) for f in fields})
            for item in value
        )
