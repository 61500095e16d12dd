"""The console's login: phone and an SMS code or the password, the same checks as
``/api/v1/auth/staff/login``; a phone with staff accounts in several companies picks one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from adapters.persistence.sqlalchemy.auth import (
    SqlAccountDirectory,
    SqlLoginSessions,
    SqlStaffPasswords,
)
from entrypoints.bootstrap import Estate
from entrypoints.http.api.auth import open_session, password_matches
from entrypoints.http.auth import PLATFORM_SCOPE, LoginTickets, Ticket, client_ip
from entrypoints.web.forms import Form, page
from entrypoints.web.session import COOKIE, session_cookie
from estate_core.identity import login_services
from estate_core.identity.model import normalize_phone
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.errors import NotFound, PermissionDenied

TEXT = {
    "title": "物业管理后台",
    "phone": "手机号",
    "code": "短信验证码",
    "password": "或密码",
    "send_code": "获取验证码",
    "code_sent": "验证码已发送",
    "login": "登录",
    "pick": "请选择物业公司",
    "no_account": "没有这个员工账号",
}

Estate_ = NamedDependency[Estate]
Sessions_ = NamedDependency[SqlLoginSessions]


@dataclass
class PhoneForm:
    phone: str


@dataclass
class LoginForm:
    phone: str
    code: str = ""
    password: str = ""


@dataclass
class PickForm:
    ticket: str
    tenant_id: UUID


def _logged_in(request: Request[Any, Any, Any], token: str) -> Redirect:
    return Redirect("/console", cookies=[session_cookie(request, "staff", token)])


@get("/login", sync_to_thread=False)
def login_page() -> Template:
    return page("console/login.html", TEXT, phone="", sent=False)


@post("/login/code", sync_to_thread=True, status_code=200)
def send_code(
    request: Request[Any, Any, Any],
    data: Form[PhoneForm],
    estate: Estate_,
    accounts: NamedDependency[SqlAccountDirectory],
) -> Template:
    if not accounts.accounts("staff", normalize_phone(data.phone)):
        raise NotFound("staff.not_found", "no staff account has this number")
    login_services.request_code(
        estate.uow(PLATFORM_SCOPE),
        estate.clock,
        estate.sms,
        estate.code_secret,
        login_services.RequestCode(
            phone=data.phone, purpose=SmsPurpose.STAFF_LOGIN, ip=client_ip(request)
        ),
    )
    return page("console/login.html", TEXT, phone=data.phone, sent=True)


@post("/login", sync_to_thread=True, status_code=200)
def login(
    request: Request[Any, Any, Any],
    data: Form[LoginForm],
    estate: Estate_,
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: Sessions_,
    login_tickets: NamedDependency[LoginTickets],
    staff_passwords: NamedDependency[SqlStaffPasswords],
    password_hasher: NamedDependency[PasswordHasher],
) -> Response[Any]:
    phone = normalize_phone(data.phone)
    found = accounts.accounts("staff", phone)
    if data.code:
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
                data.password,
            )
        ]
    if not found:
        raise PermissionDenied("login.failed", "the phone or the password is wrong")
    if len(found) == 1:
        view = open_session(estate, login_sessions, "staff", found[0].tenant_id, phone)
        assert view.session is not None
        return _logged_in(request, view.session.token)
    ticket = login_tickets.seal(Ticket(kind="staff", phone=phone), estate.clock.now())
    return page("console/pick.html", TEXT, ticket=ticket, tenants=found)


@post("/login/pick", sync_to_thread=True)
def pick(
    request: Request[Any, Any, Any],
    data: Form[PickForm],
    estate: Estate_,
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: Sessions_,
    login_tickets: NamedDependency[LoginTickets],
) -> Redirect:
    ticket = login_tickets.open(data.ticket, "staff", estate.clock.now())
    if data.tenant_id not in {a.tenant_id for a in accounts.accounts("staff", ticket.phone)}:
        raise NotFound("staff.not_found", "no staff account has this number there")
    view = open_session(estate, login_sessions, "staff", data.tenant_id, ticket.phone)
    assert view.session is not None
    return _logged_in(request, view.session.token)


@post("/logout", sync_to_thread=True)
def logout(request: Request[Any, Any, Any], login_sessions: Sessions_) -> Redirect:
    subject = login_sessions.resolve(request.cookies.get(COOKIE["staff"], ""))
    if subject is not None:
        login_sessions.revoke(subject.tenant_id, subject.session_id)
    return Redirect("/console/login", cookies=[session_cookie(request, "staff", None)])


HANDLERS = [login_page, send_code, login, pick, logout]
