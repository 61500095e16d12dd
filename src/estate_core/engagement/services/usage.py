"""The usage report (UV 统计): staff reading reports see a community's daily unique visitors
per feature over at most a year."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from estate_core.engagement.usage import DailyVisitors, UsageStore, check_report_range
from estate_core.shared.access import Actor, Permission, require_staff


def usage_report(
    store: UsageStore,
    tenant_id: UUID,
    actor: Actor,
    community_id: UUID,
    first: date,
    last: date,
) -> list[DailyVisitors]:
    require_staff(actor, Permission.REPORT_READ, community_id)
    check_report_range(first, last)
    return store.daily_visitors(tenant_id, [community_id], first, last)
