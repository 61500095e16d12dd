"""Service statistics (客户服务数据分析: 次数, 完成率, 满意率, seed 001 §2.2.2) for work orders
and complaints, per community and per technician or handler, over a range of local dates.

The definitions, so anyone can recompute a figure by hand:

- ``count``: cases reported in the range; ``void``: those cancelled or rejected (never meant to be
  done), which count nowhere else.
- ``completion_rate`` = completed / (count − void): a work order is completed once the technician
  finished it, a complaint once it has been replied to (and not reopened since).
- ``satisfaction_rate`` = ratings of 4 or 5 stars / ratings.
- ``average_response``: reported → accepted (technician confirmed / complaint accepted);
  ``average_resolution``: reported → completed / replied; each over the cases that got there.
- rates are ``Decimal`` rounded half-up to four places (0.8333); ``None`` when nothing to divide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import attrs

from estate_core.service.common import SATISFIED_FROM_STARS
from estate_core.shared.clock import CHINA
from estate_core.shared.errors import InvalidInput

MAX_RANGE_DAYS = 366
"""Any report covers at most one year (seed 000)."""

RATE_PLACES = Decimal("0.0001")


@attrs.frozen(kw_only=True)
class ServiceRecord:
    """One work order or complaint as the statistics see it."""

    reported_at: datetime
    assignee_id: UUID | None
    responded_at: datetime | None
    resolved_at: datetime | None
    stars: int | None
    void: bool


@attrs.frozen(kw_only=True)
class ServiceFigures:
    count: int
    void: int
    completed: int
    completion_rate: Decimal | None
    rated: int
    satisfied: int
    satisfaction_rate: Decimal | None
    average_response: timedelta | None
    average_resolution: timedelta | None


@attrs.frozen(kw_only=True)
class AssigneeFigures:
    """The figures of one technician (work orders) or handler (complaints)."""

    staff_id: UUID
    figures: ServiceFigures


@attrs.frozen(kw_only=True)
class ServiceReport:
    community_id: UUID
    start: date
    end: date
    overall: ServiceFigures
    by_staff: tuple[AssigneeFigures, ...]


def rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _average(durations: Sequence[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return sum(durations, timedelta()) / len(durations)


def figures(records: Iterable[ServiceRecord]) -> ServiceFigures:
    every = list(records)
    live = [r for r in every if not r.void]
    completed = [r for r in live if r.resolved_at is not None]
    rated = [r for r in live if r.stars is not None]
    satisfied = [r for r in rated if r.stars is not None and r.stars >= SATISFIED_FROM_STARS]
    return ServiceFigures(
        count=len(every),
        void=len(every) - len(live),
        completed=len(completed),
        completion_rate=rate(len(completed), len(live)),
        rated=len(rated),
        satisfied=len(satisfied),
        satisfaction_rate=rate(len(satisfied), len(rated)),
        average_response=_average(
            [r.responded_at - r.reported_at for r in live if r.responded_at is not None]
        ),
        average_resolution=_average(
            [r.resolved_at - r.reported_at for r in live if r.resolved_at is not None]
        ),
    )


def report(
    community_id: UUID, start: date, end: date, records: Iterable[ServiceRecord]
) -> ServiceReport:
    """The community's figures and each technician's / handler's, ordered by staff id."""
    every = list(records)
    staff_ids = sorted({r.assignee_id for r in every if r.assignee_id is not None}, key=str)
    return ServiceReport(
        community_id=community_id,
        start=start,
        end=end,
        overall=figures(every),
        by_staff=tuple(
            AssigneeFigures(
                staff_id=staff_id, figures=figures(r for r in every if r.assignee_id == staff_id)
            )
            for staff_id in staff_ids
        ),
    )


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants [from, until) covering local dates ``start``..``end`` inclusive."""
    if end < start:
        raise InvalidInput("report.invalid_range", "the range ends before it starts")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("report.range_too_long", "a report covers at most one year")
    since = datetime.combine(start, time(), CHINA).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), CHINA).astimezone(UTC)
    return since, until
