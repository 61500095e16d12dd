"""Identity aggregates."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.identity import events
from estate_core.shared.errors import InvalidInput
from estate_core.shared.events import Aggregate

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    """A mainland China mobile number as 11 digits; accepts spaces, dashes and a +86 prefix."""
    digits = re.sub(r"[\s-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MAINLAND_MOBILE.match(digits):
        raise InvalidInput("phone.invalid", "not a mainland China mobile number")
    return digits


@attrs.define(slots=False, eq=False, kw_only=True)
class Resident(Aggregate):
    """Resident 住户账号: one person account per tenant, keyed by mobile phone.

    Created when the person first logs in with an SMS code (``phone_verified_at`` set), or by
    staff importing an owner or an owner adding family (not yet verified until first login).
    """

    id: UUID
    tenant_id: UUID
    phone: str
    name: str = ""
    phone_verified_at: datetime | None = None
    wechat_openid: str | None = None
    alipay_user_id: str | None = None
    disabled: bool = False
    created_at: datetime

    @property
    def is_verified(self) -> bool:
        return self.phone_verified_at is not None

    def verify_phone(self, at: datetime) -> None:
        if self.phone_verified_at is None:
            self.phone_verified_at = at
            self.record(events.ResidentVerified(resident_id=self.id, tenant_id=self.tenant_id))
