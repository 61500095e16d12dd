"""Cookie sessions for the pages: the same login sessions as the API's bearer tokens, carried in
an HttpOnly, SameSite=Lax cookie (Secure when the request came over TLS), one cookie per area so
a person may be logged in to the portal and the console at once."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException

from adapters.persistence.sqlalchemy.auth import SqlLoginSessions
from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from estate_core.identity.staff_services import staff_actor
from estate_core.shared.access import ResidentActor

Area = Literal["resident", "staff"]
COOKIE = {"resident": "estate_h5", "staff": "estate_console"}
LOGIN_PAGE = {"resident": "/h5/login", "staff": "/console/login"}


class LoginRequired(NotAuthorizedException):
    """No live session for the area: the page answers with a redirect to its login page."""

    def __init__(self, area: Area) -> None:
        super().__init__("log in first")
        self.area = area


def session_cookie(request: Request[Any, Any, Any], area: Area, token: str | None) -> Cookie:
    """The cookie that carries ``token`` (None: the cookie that ends the session)."""
    return Cookie(
        key=COOKIE[area],
        value=token or "",
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=None if token else 0,
    )


def page_caller(
    request: Request[Any, Any, Any],
    login_sessions: SqlLoginSessions,
    estate: Estate,
    area: Area,
) -> Caller:
    """The caller of the area's cookie; a resident cookie never makes a staff caller."""
    subject = login_sessions.resolve(request.cookies.get(COOKIE[area], ""))
    if subject is None or subject.kind != area:
        raise LoginRequired(area)
    if subject.kind == "staff":
        actor: Any = staff_actor(estate.uow(subject.tenant_id), subject.subject_id)
    else:
        actor = ResidentActor(resident_id=subject.subject_id)
    return Caller(tenant_id=subject.tenant_id, session_id=subject.session_id, actor=actor)
