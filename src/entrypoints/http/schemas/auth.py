"""Bodies and answers of logging in and out."""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from entrypoints.http.schemas import Body, View


class CodeRequest(Body):
    phone: str
    audience: Literal["resident", "staff"] = "resident"


class CodeSentView(View):
    expires_at: datetime.datetime
    resend_after: datetime.datetime


class ResidentLogin(Body):
    phone: str
    code: str
    tenant_id: UUID | None = None


class StaffLogin(Body):
    phone: str
    code: str | None = None
    password: str | None = None
    tenant_id: UUID | None = None


class PickTenant(Body):
    ticket: str
    tenant_id: UUID


class TenantChoice(View):
    tenant_id: UUID
    tenant_name: str


class SessionView(View):
    token: str
    tenant_id: UUID
    kind: Literal["resident", "staff"]
    subject_id: UUID


class LoginView(View):
    """Either a session, or the tenants to pick from with a ticket for :class:`PickTenant`."""

    session: SessionView | None = None
    ticket: str | None = None
    tenants: list[TenantChoice] | None = None


class NewPassword(Body):
    password: str
