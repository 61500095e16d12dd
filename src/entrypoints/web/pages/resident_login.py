"""The portal's login 登录: an SMS code, then the property company when the phone has accounts
in several. The same use cases as ``/api/v1/auth``; the session lands in an HttpOnly cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from adapters.persistence.sqlalchemy.auth import SqlAccountDirectory, SqlLoginSessions
from entrypoints.bootstrap import Estate
from entrypoints.http.api.auth import open_session
from entrypoints.http.auth import PLATFORM_SCOPE, LoginTickets, Ticket, client_ip
from entrypoints.web.forms import Form, page
from entrypoints.web.session import COOKIE, session_cookie
from estate_core.identity import login_services
from estate_core.identity.sms import SmsPurpose

TEXT = {
    "title": "业主登录",
    "phone": "手机号",
    "code": "验证码",
    "send_code": "获取验证码",
    "code_sent": "验证码已发送，请查收短信",
    "login": "登录",
    "pick": "请选择物业公司",
    "no_account": "这个手机号还没有在任何物业公司登记，请联系物业",
}

Estate_ = NamedDependency[Estate]
Sessions_ = NamedDependency[SqlLoginSessions]


@dataclass
class PhoneForm:
    phone: str


@dataclass
class CodeForm:
    phone: str
    code: str


@dataclass
class PickForm:
    ticket: str
    tenant_id: UUID


def _logged_in(request: Request[Any, Any, Any], token: str) -> Redirect:
    return Redirect("/h5", cookies=[session_cookie(request, "resident", token)])


@get("/login", sync_to_thread=False)
def login_page() -> Template:
    return page("resident/login.html", TEXT, phone="", sent=False)


@post("/login/code", sync_to_thread=True, status_code=200)
def send_code(request: Request[Any, Any, Any], data: Form[PhoneForm], estate: Estate_) -> Template:
    login_services.request_code(
        estate.uow(PLATFORM_SCOPE),
        estate.clock,
        estate.sms,
        estate.code_secret,
        login_services.RequestCode(
            phone=data.phone, purpose=SmsPurpose.LOGIN, ip=client_ip(request)
        ),
    )
    return page("resident/login.html", TEXT, phone=data.phone, sent=True)


@post("/login", sync_to_thread=True, status_code=200)
def login(
    request: Request[Any, Any, Any],
    data: Form[CodeForm],
    estate: Estate_,
    accounts: NamedDependency[SqlAccountDirectory],
    login_sessions: Sessions_,
    login_tickets: NamedDependency[LoginTickets],
) -> Response[Any]:
    phone = login_services.check_code(
        estate.uow(PLATFORM_SCOPE),
        estate.clock,
        estate.code_secret,
        login_services.CheckCode(phone=data.phone, purpose=SmsPurpose.LOGIN, code=data.code),
    )
    found = accounts.accounts("resident", phone)
    if len(found) == 1:
        view = open_session(estate, login_sessions, "resident", found[0].tenant_id, phone)
        assert view.session is not None
        return _logged_in(request, view.session.token)
    ticket = login_tickets.seal(Ticket(kind="resident", phone=phone), estate.clock.now())
    return page("resident/pick.html", TEXT, ticket=ticket, tenants=found)


@post("/login/pick", sync_to_thread=True)
def pick(
    request: Request[Any, Any, Any],
    data: Form[PickForm],
    estate: Estate_,
    login_sessions: Sessions_,
    login_tickets: NamedDependency[LoginTickets],
) -> Redirect:
    ticket = login_tickets.open(data.ticket, "resident", estate.clock.now())
    view = open_session(estate, login_sessions, "resident", data.tenant_id, ticket.phone)
    assert view.session is not None
    return _logged_in(request, view.session.token)


@post("/logout", sync_to_thread=True)
def logout(request: Request[Any, Any, Any], login_sessions: Sessions_) -> Redirect:
    subject = login_sessions.resolve(request.cookies.get(COOKIE["resident"], ""))
    if subject is not None:
        login_sessions.revoke(subject.tenant_id, subject.session_id)
    return Redirect("/h5/login", cookies=[session_cookie(request, "resident", None)])


HANDLERS = [login_page, send_code, login, pick, logout]
