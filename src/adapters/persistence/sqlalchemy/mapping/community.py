"""Mapping of the community context: Notice, NoticeRead, Activity and VisitorPass.

- ``Notice.audience`` (a frozen ``Audience`` of two id sets) is one JSON column; after each
  insert or update of a notice, :func:`_index_audience` writes its ``notice_communities`` and
  ``notice_properties`` lookup rows with Core statements on the flush's connection, so the lists
  find a community's notices through one index whatever the audience's size.
- ``Activity.sign_ups`` and ``VisitorPass.entries`` (lists of frozen values) are association
  proxies over child rows kept in list order by a ``position`` column; a sign-up changed in
  place (cancelled, checked in) updates its row.
- ``VisitorPass.visit`` is a composite over the pass's visit columns.
- ``activities.people`` and ``visitor_passes.entries_used`` are computed from the lists on
  every flush of the aggregate, so the CHECKs on them hold the capacity and the entry limit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapper, registry, relationship

from adapters.persistence.sqlalchemy.mapping.support import (
    VERSION_ATTRIBUTE,
    attrs_composite,
    register_child_rows,
    value_list,
)
from adapters.persistence.sqlalchemy.tables.community import (
    activities,
    activity_sign_ups,
    notice_communities,
    notice_properties,
    notice_reads,
    notices,
    visitor_pass_entries,
    visitor_passes,
)
from estate_core.community.activity import Activity, SignUp
from estate_core.community.notice import Notice, NoticeRead
from estate_core.community.visitor import Visit, VisitorEntry, VisitorPass

PEOPLE_ATTRIBUTE = "_people"
"""Mapped attribute of ``activities.people`` (the live head count; not a domain field)."""

ENTRIES_USED_ATTRIBUTE = "_entries_used"
"""Mapped attribute of ``visitor_passes.entries_used`` (not a domain field)."""


class SignUpRow:
    """An ``activity_sign_ups`` row; the domain only sees the frozen ``SignUp`` it holds."""

    value: SignUp
    position: int
    activity: Activity

    def __init__(self, value: SignUp) -> None:
        self.value = value


class EntryRow:
    """A ``visitor_pass_entries`` row holding one frozen ``VisitorEntry``."""

    value: VisitorEntry
    position: int
    visitor_pass: VisitorPass

    def __init__(self, value: VisitorEntry) -> None:
        self.value = value


def _index_rows(notice: Notice) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    audience = notice.audience
    communities = [
        {
            "tenant_id": notice.tenant_id,
            "notice_id": notice.id,
            "community_id": community_id,
            "targeted": audience.targeted,
            "state": notice.state,
            "created_at": notice.created_at,
            "published_at": notice.published_at,
        }
        for community_id in sorted(audience.community_ids)
    ]
    homes = [
        {"tenant_id": notice.tenant_id, "notice_id": notice.id, "property_id": property_id}
        for property_id in sorted(audience.property_ids)
    ]
    return communities, homes


def _insert_index(connection: sa.Connection, notice: Notice) -> None:
    communities, homes = _index_rows(notice)
    connection.execute(notice_communities.insert(), communities)
    if homes:
        connection.execute(notice_properties.insert(), homes)


def _index_audience(mapper: Mapper[Any], connection: sa.Connection, notice: Notice) -> None:
    """``after_insert``: the new notice's lookup rows."""
    _insert_index(connection, notice)


def _reindex_audience(mapper: Mapper[Any], connection: sa.Connection, notice: Notice) -> None:
    """``after_update``: copy the state and publication time; rebuild if the audience changed."""
    changed = sa.inspect(notice).attrs
    if changed.audience.history.has_changes():
        for table in (notice_communities, notice_properties):
            connection.execute(
                table.delete().where(
                    table.c.tenant_id == notice.tenant_id, table.c.notice_id == notice.id
                )
            )
        _insert_index(connection, notice)
    elif changed.state.history.has_changes() or changed.published_at.history.has_changes():
        c = notice_communities.c
        connection.execute(
            notice_communities.update()
            .where(c.tenant_id == notice.tenant_id, c.notice_id == notice.id)
            .values(state=notice.state, published_at=notice.published_at)
        )


def _count_people(mapper: Mapper[Any], connection: sa.Connection, activity: Activity) -> None:
    """``before_insert``/``before_update``: the live head count the capacity CHECK guards."""
    setattr(activity, PEOPLE_ATTRIBUTE, activity.people)


def _count_entries(
    mapper: Mapper[Any], connection: sa.Connection, visitor_pass: VisitorPass
) -> None:
    """``before_insert``/``before_update``: the entries the ``max_entries`` CHECK guards."""
    setattr(visitor_pass, ENTRIES_USED_ATTRIBUTE, len(visitor_pass.entries))


def _map_notices(mappers: registry) -> None:
    notice_mapper = mappers.map_imperatively(
        Notice,
        notices,
        version_id_col=notices.c.version,
        properties={VERSION_ATTRIBUTE: notices.c.version},
    )
    event.listen(notice_mapper, "after_insert", _index_audience)
    event.listen(notice_mapper, "after_update", _reindex_audience)
    mappers.map_imperatively(
        NoticeRead,
        notice_reads,
        version_id_col=notice_reads.c.version,
        properties={VERSION_ATTRIBUTE: notice_reads.c.version},
    )


def _map_activities(mappers: registry) -> None:
    s = activity_sign_ups.c
    mappers.map_imperatively(
        SignUpRow,
        activity_sign_ups,
        properties={
            "value": attrs_composite(
                SignUp,
                s.resident_id,
                s.head_count,
                s.signed_up_at,
                s.status,
                s.cancelled_at,
                s.checked_in_at,
                s.checked_in_by,
            ),
            "activity": relationship(Activity, back_populates="_sign_up_rows"),
        },
    )
    activity_mapper = mappers.map_imperatively(
        Activity,
        activities,
        version_id_col=activities.c.version,
        properties={
            VERSION_ATTRIBUTE: activities.c.version,
            PEOPLE_ATTRIBUTE: activities.c.people,
            "_sign_up_rows": relationship(
                SignUpRow,
                back_populates="activity",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=s.position,
                collection_class=ordering_list("position"),
            ),
        },
    )
    event.listen(activity_mapper, "before_insert", _count_people)
    event.listen(activity_mapper, "before_update", _count_people)
    value_list(Activity, "sign_ups", "_sign_up_rows", SignUpRow)
    register_child_rows(SignUpRow, "activity")


def _map_visitor_passes(mappers: registry) -> None:
    e, p = visitor_pass_entries.c, visitor_passes.c
    mappers.map_imperatively(
        EntryRow,
        visitor_pass_entries,
        properties={
            "value": attrs_composite(VisitorEntry, e.at, e.guard_id),
            "visitor_pass": relationship(VisitorPass, back_populates="_entry_rows"),
        },
    )
    visit_columns = [
        p.visitor_name,
        p.visitor_phone_ciphertext,
        p.head_count,
        p.plate,
        p.valid_from,
        p.valid_until,
        p.max_entries,
    ]
    pass_mapper = mappers.map_imperatively(
        VisitorPass,
        visitor_passes,
        version_id_col=p.version,
        properties={
            VERSION_ATTRIBUTE: p.version,
            ENTRIES_USED_ATTRIBUTE: p.entries_used,
            **{f"_{column.name}": column for column in visit_columns},
            "visit": attrs_composite(Visit, *visit_columns),
            "_entry_rows": relationship(
                EntryRow,
                back_populates="visitor_pass",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=e.position,
                collection_class=ordering_list("position"),
            ),
        },
    )
    event.listen(pass_mapper, "before_insert", _count_entries)
    event.listen(pass_mapper, "before_update", _count_entries)
    value_list(VisitorPass, "entries", "_entry_rows", EntryRow)
    register_child_rows(EntryRow, "visitor_pass")


def map_community(mappers: registry) -> None:
    _map_notices(mappers)
    _map_activities(mappers)
    _map_visitor_passes(mappers)
