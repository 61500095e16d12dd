"""Identity events."""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class ResidentVerified(DomainEvent):
    resident_id: UUID
    tenant_id: UUID
