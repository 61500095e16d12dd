"""Data retention: deleting rows nothing reads any more (the worker's ``purge_sms_codes`` job)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.tables.identity import sms_codes


def purge_sms_codes(engine: Engine, tenant_id: UUID, expired_before: datetime) -> int:
    """Delete the tenant's SMS codes that expired before ``expired_before``; how many.

    A used code expires like any other (10 minutes after it was sent), so this removes used and
    unused ones alike once they can no longer be checked. Running it twice deletes nothing more.
    """
    with engine.begin() as connection:
        return connection.execute(
            sa.delete(sms_codes).where(
                sms_codes.c.tenant_id == tenant_id, sms_codes.c.expires_at < expired_before
            )
        ).rowcount
