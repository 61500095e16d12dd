"""Identity aggregates: Tenant (property company), Community and Resident (DESIGN.md §3).

Staff are in :mod:`estate_core.identity.staff`, roles in :mod:`estate_core.identity.roles`,
SMS codes in :mod:`estate_core.identity.sms`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from estate_core.identity import events
from estate_core.shared.errors import InvalidInput, InvalidTransition, PermissionDenied
from estate_core.shared.events import Aggregate

_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")

DEFAULT_TIME_ZONE = "Asia/Shanghai"
NAME_MAX = 100
PERSON_NAME_MAX = 40
EXTERNAL_ID_MAX = 128


def normalize_phone(raw: str) -> str:
    """A mainland China mobile number as 11 ASCII digits; accepts spaces, dashes and a +86 prefix.

    The one gate every phone passes through. The text is NFKC-normalised first, so a number typed
    with a Chinese input method (full-width ``１３８…``, or a mix) is the same number as its ASCII
    spelling; any other digit (Arabic-Indic, superscript...) is refused.
    """
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MAINLAND_MOBILE.fullmatch(digits):
        raise InvalidInput("phone.invalid", "not a mainland China mobile number")
    return digits


def clean_name(raw: str, code: str, max_length: int = NAME_MAX) -> str:
    """A required display name: stripped, not empty, at most ``max_length`` characters."""
    name = raw.strip()
    if not name or len(name) > max_length:
        raise InvalidInput(code, f"a name of 1 to {max_length} characters is required")
    return name


class ResidentAccountDisabled(PermissionDenied):
    """A disabled (blacklisted) resident can neither log in nor act."""

    code = "resident.disabled"


class AccountStatus(enum.StrEnum):
    """Resident and staff accounts: open registration, blacklist model (seed 001 §2.3.1)."""

    ACTIVE = "active"
    DISABLED = "disabled"


ACCOUNT_TRANSITIONS: dict[tuple[AccountStatus, str], AccountStatus] = {
    (AccountStatus.ACTIVE, "disable"): AccountStatus.DISABLED,
    (AccountStatus.DISABLED, "enable"): AccountStatus.ACTIVE,
}


def next_account_status(aggregate: str, current: AccountStatus, action: str) -> AccountStatus:
    """The status after ``action``, or InvalidTransition (``<aggregate>.invalid_transition``)."""
    following = ACCOUNT_TRANSITIONS.get((current, action))
    if following is None:
        raise InvalidTransition(aggregate, current.value, action)
    return following


class SurplusPolicy(enum.StrEnum):
    """What happens to money paid for a bill another payment already settled (DESIGN.md §4)."""

    REFUND = "refund"
    PREPAYMENT = "prepayment"


@attrs.frozen(kw_only=True)
class TenantSettings:
    """Per-company settings; ``surplus_policy`` defaults to refunding the surplus."""

    surplus_policy: SurplusPolicy = SurplusPolicy.REFUND


@attrs.define(slots=False, eq=False, kw_only=True)
class Tenant(Aggregate):
    """Tenant 物业公司: one property company, completely isolated from the others (seed 000).

    Its own row carries ``tenant_id == id`` like every other row, so it is found through the
    same tenant-scoped queries as everything else.
    """

    id: UUID
    tenant_id: UUID
    name: str
    settings: TenantSettings = attrs.field(factory=TenantSettings)
    created_at: datetime

    def __attrs_post_init__(self) -> None:
        if self.tenant_id != self.id:
            raise ValueError("a tenant's row carries its own id as tenant_id")

    @classmethod
    def open(cls, tenant_id: UUID, name: str, settings: TenantSettings, at: datetime) -> Tenant:
        tenant = cls(
            id=tenant_id,
            tenant_id=tenant_id,
            name=clean_name(name, "tenant.invalid_name"),
            settings=settings,
            created_at=at,
        )
        tenant.record(events.TenantOpened(tenant_id=tenant_id, tenant_name=tenant.name))
        return tenant

    def rename(self, name: str) -> None:
        self.name = clean_name(name, "tenant.invalid_name")

    def change_settings(self, settings: TenantSettings) -> None:
        if settings != self.settings:
            self.settings = settings
            self.record(
                events.TenantSettingsChanged(
                    tenant_id=self.id, surplus_policy=settings.surplus_policy.value
                )
            )


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("community.invalid_time_zone", f"{name!r} is not a time zone") from None
    return name


@attrs.define(slots=False, eq=False, kw_only=True)
class Community(Aggregate):
    """Community 小区 / 项目 of a tenant. Billing periods and due dates use its time zone."""

    id: UUID
    tenant_id: UUID
    name: str
    address: str = ""
    time_zone: str = DEFAULT_TIME_ZONE

    @classmethod
    def create(
        cls, *, id: UUID, tenant_id: UUID, name: str, address: str, time_zone: str
    ) -> Community:
        community = cls(
            id=id,
            tenant_id=tenant_id,
            name=clean_name(name, "community.invalid_name"),
            address=address.strip(),
            time_zone=check_time_zone(time_zone),
        )
        community.record(events.CommunityCreated(community_id=id, community_name=community.name))
        return community

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def change(self, *, name: str, address: str, time_zone: str) -> None:
        self.name = clean_name(name, "community.invalid_name")
        self.address = address.strip()
        self.time_zone = check_time_zone(time_zone)
        self.record(events.CommunityChanged(community_id=self.id))


def _external_id(raw: str, code: str) -> str:
    value = raw.strip()
    if not value or len(value) > EXTERNAL_ID_MAX:
        raise InvalidInput(code, "not a valid account id")
    return value


@attrs.define(slots=False, eq=False, kw_only=True)
class Resident(Aggregate):
    """Resident 住户账号: one person account per tenant, keyed by mobile phone.

    Created when the person first logs in with an SMS code (``phone_verified_at`` set), or by
    staff importing an owner or an owner adding family (not yet verified until first login).
    The first login through WeChat / Alipay links the openid / user id (seed 004), so later
    visits log in without a code. Staff can disable the account at once (blacklist, seed 001).
    """

    id: UUID
    tenant_id: UUID
    phone: str
    name: str = ""
    phone_verified_at: datetime | None = None
    wechat_openid: str | None = None
    alipay_user_id: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    created_at: datetime

    @classmethod
    def register(cls, *, id: UUID, tenant_id: UUID, phone: str, at: datetime) -> Resident:
        """Open registration (seed 001 §2.3.1): a first login with a code opens the account."""
        resident = cls(id=id, tenant_id=tenant_id, phone=phone, created_at=at)
        resident.record(events.ResidentRegistered(resident_id=id))
        resident.verify_phone(at)
        return resident

    @property
    def is_verified(self) -> bool:
        return self.phone_verified_at is not None

    @property
    def status(self) -> AccountStatus:
        return AccountStatus.DISABLED if self.disabled else AccountStatus.ACTIVE

    def verify_phone(self, at: datetime) -> None:
        if self.phone_verified_at is None:
            self.phone_verified_at = at
            self.record(events.ResidentVerified(resident_id=self.id, tenant_id=self.tenant_id))

    def link_wechat(self, openid: str) -> None:
        """Link the WeChat openid; a later verified login from another WeChat account moves it.

        The phone is the identity: whoever proves it with an SMS code is this resident, so a new
        openid (the person changed WeChat account) replaces the old one.
        """
        openid = _external_id(openid, "resident.invalid_openid")
        if openid != self.wechat_openid:
            replaced = self.wechat_openid is not None
            self.wechat_openid = openid
            self.record(events.WechatLinked(resident_id=self.id, replaced=replaced))

    def link_alipay(self, user_id: str) -> None:
        """Link the Alipay user id, with the same rule as :meth:`link_wechat`."""
        user_id = _external_id(user_id, "resident.invalid_alipay_user_id")
        if user_id != self.alipay_user_id:
            replaced = self.alipay_user_id is not None
            self.alipay_user_id = user_id
            self.record(events.AlipayLinked(resident_id=self.id, replaced=replaced))

    def rename(self, name: str) -> None:
        self.name = clean_name(name, "resident.invalid_name", PERSON_NAME_MAX)
        self.record(events.ResidentRenamed(resident_id=self.id))

    def change_phone(self, new_phone: str, at: datetime) -> None:
        """Move the account to a new, just-verified number (both numbers proved by SMS)."""
        if new_phone == self.phone:
            raise InvalidInput("resident.same_phone", "that is already your phone number")
        self.phone = new_phone
        self.phone_verified_at = at
        self.record(events.ResidentPhoneChanged(resident_id=self.id))

    def disable(self, reason: str, by: UUID) -> None:
        next_account_status("resident", self.status, "disable")
        reason = clean_name(reason, "resident.reason_required", 200)
        self.disabled, self.disabled_reason = True, reason
        self.record(events.ResidentDisabled(resident_id=self.id, reason=reason, by=by))

    def enable(self, by: UUID) -> None:
        next_account_status("resident", self.status, "enable")
        self.disabled, self.disabled_reason = False, None
        self.record(events.ResidentEnabled(resident_id=self.id, by=by))

    def require_active(self) -> None:
        if self.disabled:
            raise ResidentAccountDisabled("this account is disabled")
