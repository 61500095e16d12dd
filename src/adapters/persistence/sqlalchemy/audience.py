"""Who a message reaches: a notice's audience (the household members of whole communities or
of given homes), and a resident's phone and openid.

A read model for the worker (one query, not a household aggregate per home): a notice to a
community of 5,000 homes becomes its residents' messages without loading 5,000 aggregates.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.tables.identity import residents
from adapters.persistence.sqlalchemy.tables.properties import household_members, households
from estate_core.shared.messaging import Recipient


class SqlAudience:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def residents(
        self,
        tenant_id: UUID,
        community_ids: Collection[UUID],
        property_ids: Collection[UUID],
        day: date,
    ) -> list[UUID]:
        """Members (owners, family, tenants whose lease has not ended) of those homes."""
        if not community_ids and not property_ids:
            return []
        where = sa.or_(
            households.c.community_id.in_(list(community_ids)),
            households.c.property_id.in_(list(property_ids)),
        )
        query = (
            sa.select(household_members.c.resident_id)
            .distinct()
            .join(
                households,
                sa.and_(
                    households.c.tenant_id == household_members.c.tenant_id,
                    households.c.id == household_members.c.household_id,
                ),
            )
            .where(
                household_members.c.tenant_id == tenant_id,
                where,
                sa.or_(
                    household_members.c.lease_end.is_(None),
                    household_members.c.lease_end >= day,
                ),
            )
            .order_by(household_members.c.resident_id)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())


class SqlRecipients:
    """Where a resident can be reached (phone, openid): one Core select per message, no
    aggregate loaded; None for an account that is gone or disabled."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def find(self, tenant_id: UUID, resident_id: UUID) -> Recipient | None:
        query = sa.select(residents.c.phone_ciphertext, residents.c.wechat_openid).where(
            residents.c.tenant_id == tenant_id,
            residents.c.id == resident_id,
            residents.c.disabled.is_(False),
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return Recipient(resident_id=resident_id, phone=row[0], wechat_openid=row[1])
