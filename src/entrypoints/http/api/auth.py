"""Logging in and out: SMS codes for residents and staff, passwords for staff (DESIGN.md §3, §9).

With a shared official account one phone may hold accounts in several tenants (property
companies). A login that names no tenant and finds more than one (or none) answers with the
tenants and a short-lived ticket; the client picks one with ``…/select``. Each session belongs
to one tenant.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request, Router, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from adapters.persistence.sqlalchemy.auth import (
    SqlAccountDirectory,
    SqlLoginSessions,
    SqlStaffPasswords,
    SubjectKind,
)
from entrypoints.bootstrap import Estate
from entrypoints.http.auth import PLATFORM_SCOPE, Caller, LoginTickets, Ticket, client_ip
from entrypoints.http.schemas.auth import (
    CodeRequest,
    CodeSentView,
    LoginView,
    NewPassword,
    PickTenant,
    ResidentLogin,
    SessionView,
    StaffLogin,
    TenantChoice,
)
from estate_core.identity import login_services
from estate_core.identity.model import normalize_phone
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.errors import InvalidInput, NotFound, PermissionDenied

PASSWORD_MIN, PASSWORD_MAX = 10, 128


@post("/codes", status_code=HTTP_202_ACCEPTED, sync_to_thread=True, summary="Send a login code")
def send_code(
    request: Request[Any, Any, Any],
    data: JSONBody[CodeRequest],
    estate: NamedDependency[Estate],
    accounts: NamedDependency[SqlAccountDirectory],
) -> CodeSentView:
    """At most 1 a minute, 5 an hour, 10 a day per phone and 20 an hour per IP (429 with
    ``Retry-After``). Staff codes go only to numbers of an enabled staff account."""
    purpose = SmsPurpose.LOGIN
    if data.audience == "staff":
        purpose = SmsPurpose.STAFF_LOGIN
        if not accounts.accounts("staff", normalize_phone(data.phone)):
            raise NotFound("staff.not_found", "no staff account has this number")
    sent = login_services.request_code(
        estate.uow(PLATFORM_SCOPE),
        estate.clock,
        estate.sms,
        estate.code_secret,
        login_services.RequestCode(phone=data.phone, purpose=purpose, ip=client_ip(request)),
    )
    return CodeSentView(expires_at=sent.expires_at, resend_after=sent.resend_after)


def open_session(
    estate: NamedDependency[Estate],
    login_sessions: NamedDependency[SqlLoginSessions],
    kind: SubjectKind,
    tenant_id: UUID,
    phone: str,
) -> LoginView:
    """A session of the phone's account in ``tenant_id`` (the API and the pages log in here)."""
    uow = estate.uow(tenant_id)
    with uow:
        if uow.tenants.find(tenant_id) is None:
            raise NotFound("tenant.not_found", "no such property company")
    if kind == "resident":
        subject_id = login_services.login_proved_phone(uow, estate.clock, phone)
    else:
        subject_id = login_services.staff_for_proved_phone(uow, phone)
    token = login_sessions.open(tenant_id, kind, subject_id)
    return LoginView(
        session=SessionView(token=token, tenant_id=tenant_id, kind=kind, subject_id=subject_id)
    )


def _finish(
    estate: NamedDependency[Estate],
    login_sessions: NamedDependency[SqlLoginSessions],
    tickets: LoginTickets,
    kind: SubjectKind,
    phone: str,
    choices: list[TenantChoice],
    tenant_id: UUID | None,
) -> LoginView:
    if tenant_id is not None:
        if kind == "staff" and tenant_id not in {choice.tenant_id for choice in choices}:
            raise NotFound("staff.not_found", "no staff account has this number there")
        return open_session(estate, login_sessions, kind, tenant_id, phone)
    if len(choices) == 1:
        return open_session(estate, login_sessions, kind, choices[0].tenant_id, phone)
    if kind == "staff" and not choices:
        raise PermissionDenied("login.failed", "the phone or the password is wrong")
    ticket = tickets.seal(Ticket(kind=kind, phone=phone), estate.clock.now())
    return LoginView(ticket=ticket, tenants=choices)


@post("/resident/login", status_code=HTTP_200_OK, sync_to_thread=True, summary="Resident login")
def resident_login(
    data: JSONBody[ResidentLogin],
    estate: NamedDependency[Estate],
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: NamedDependency[SqlLoginSessions],
    login_tickets: NamedDependency[LoginTickets],
) -> LoginView:
    """Log in with the code of ``/auth/codes``. Registration is open: naming a tenant opens an
    account there on the first login."""
    phone = login_services.check_code(
        estate.uow(PLATFORM_SCOPE),
        estate.clock,
        estate.code_secret,
        login_services.CheckCode(phone=data.phone, purpose=SmsPurpose.LOGIN, code=data.code),
    )
    choices = [
        TenantChoice(tenant_id=account.tenant_id, tenant_name=account.tenant_name)
        for account in accounts.accounts("resident", phone)
    ]
    return _finish(
        estate, login_sessions, login_tickets, "resident", phone, choices, data.tenant_id
    )


def password_matches(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    if stored is None:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@post("/staff/login", status_code=HTTP_200_OK, sync_to_thread=True, summary="Staff login")
def staff_login(
    data: JSONBody[StaffLogin],
    estate: NamedDependency[Estate],
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: NamedDependency[SqlLoginSessions],
    login_tickets: NamedDependency[LoginTickets],
    staff_passwords: NamedDependency[SqlStaffPasswords],
    password_hasher: NamedDependency[PasswordHasher],
) -> LoginView:
    """Phone and either the code of ``/auth/codes`` (audience ``staff``) or the password."""
    if (data.code is None) == (data.password is None):
        raise InvalidInput("login.code_or_password", "give either a code or a password")
    phone = normalize_phone(data.phone)
    found = accounts.accounts("staff", phone)
    if data.code is not None:
        login_services.check_code(
            estate.uow(PLATFORM_SCOPE),
            estate.clock,
            estate.code_secret,
            login_services.CheckCode(phone=phone, purpose=SmsPurpose.STAFF_LOGIN, code=data.code),
        )
    else:
        found = [
            account
            for account in found
            if password_matches(
                password_hasher,
                staff_passwords.get(account.tenant_id, account.account_id),
                str(data.password),
            )
        ]
    choices = [TenantChoice(tenant_id=a.tenant_id, tenant_name=a.tenant_name) for a in found]
    return _finish(estate, login_sessions, login_tickets, "staff", phone, choices, data.tenant_id)


@post("/resident/select", status_code=HTTP_200_OK, sync_to_thread=True, summary="Pick a tenant")
def resident_select(
    data: JSONBody[PickTenant],
    estate: NamedDependency[Estate],
    login_sessions: NamedDependency[SqlLoginSessions],
    login_tickets: NamedDependency[LoginTickets],
) -> LoginView:
    ticket = login_tickets.open(data.ticket, "resident", estate.clock.now())
    return open_session(estate, login_sessions, "resident", data.tenant_id, ticket.phone)


@post("/staff/select", status_code=HTTP_200_OK, sync_to_thread=True, summary="Pick a tenant")
def staff_select(
    data: JSONBody[PickTenant],
    estate: NamedDependency[Estate],
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: NamedDependency[SqlLoginSessions],
    login_tickets: NamedDependency[LoginTickets],
) -> LoginView:
    ticket = login_tickets.open(data.ticket, "staff", estate.clock.now())
    if data.tenant_id not in {a.tenant_id for a in accounts.accounts("staff", ticket.phone)}:
        raise NotFound("staff.not_found", "no staff account has this number there")
    return open_session(estate, login_sessions, "staff", data.tenant_id, ticket.phone)


@post(
    "/logout",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="End this session",
)
def logout(
    caller: NamedDependency[Caller], login_sessions: NamedDependency[SqlLoginSessions]
) -> None:
    login_sessions.revoke(caller.tenant_id, caller.session_id)


@put(
    "/staff/password",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="Set my staff password",
)
def set_password(
    data: JSONBody[NewPassword],
    staff: NamedDependency[Caller],
    staff_passwords: NamedDependency[SqlStaffPasswords],
    password_hasher: NamedDependency[PasswordHasher],
) -> None:
    if not PASSWORD_MIN <= len(data.password) <= PASSWORD_MAX:
        raise InvalidInput(
            "password.invalid", f"a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters"
        )
    staff_passwords.set(staff.tenant_id, staff.staff.staff_id, password_hasher.hash(data.password))


router = Router(
    path="/auth",
    route_handlers=[
        send_code,
        resident_login,
        resident_select,
        staff_login,
        staff_select,
        logout,
        set_password,
    ],
    tags=["auth"],
)
