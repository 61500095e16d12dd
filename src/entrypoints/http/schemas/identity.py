"""Identity: profile, phone change, communities, staff and roles, the blacklist."""

from __future__ import annotations

from uuid import UUID

from entrypoints.http.schemas import Body, View
from estate_core.shared.access import Permission


class ProfileView(View):
    id: UUID
    phone: str
    name: str
    verified: bool
    wechat_linked: bool
    alipay_linked: bool
    disabled: bool
    disabled_reason: str | None


class Rename(Body):
    name: str


class PhoneChangeCodes(Body):
    new_phone: str


class PhoneChange(Body):
    new_phone: str
    old_code: str
    new_code: str


class CommunityView(View):
    id: UUID
    name: str
    address: str
    time_zone: str


class NewCommunity(Body):
    name: str
    address: str = ""
    time_zone: str = "Asia/Shanghai"


class Created(View):
    id: UUID


class StaffView(View):
    id: UUID
    name: str
    phone: str
    roles: list[str]
    community_ids: list[UUID] | None
    merchant_id: UUID | None
    disabled: bool


class NewStaff(Body):
    name: str
    phone: str
    roles: list[str]
    community_ids: list[UUID] | None = None
    merchant_id: UUID | None = None


class StaffAccess(Body):
    roles: list[str]
    community_ids: list[UUID] | None = None
    merchant_id: UUID | None = None


class Reason(Body):
    reason: str


class RoleView(View):
    code: str
    name: str
    permissions: list[Permission]
    builtin: bool


class NewRole(Body):
    code: str
    name: str
    permissions: list[Permission]
