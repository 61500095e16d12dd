"""Who is calling: bearer-token sessions turned into the core's actors, and the guards every
route declares (DESIGN.md §3).

A resident route takes ``resident: Caller``, a staff route ``staff: Caller``, a route both may
use ``caller: Caller``. A route staff may use names its function permission in
``opt={"permission": Permission.X}`` (or a tuple of which any will do), which resolving the
caller checks before the handler runs; the use case checks the data scope. A session belongs to one
tenant; every unit of work a handler opens is that tenant's.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from adapters.persistence.sqlalchemy.auth import SqlLoginSessions, SubjectKind
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, UndecryptableValue
from entrypoints.bootstrap import Estate
from estate_core.identity.staff_services import staff_actor
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.errors import InvalidInput, NotFound, PermissionDenied

PLATFORM_SCOPE = UUID(int=0)
"""The scope of the codes of a login that does not know its tenant yet (shared official
account): they are counted and checked like every code, under this reserved tenant id."""

TICKET_LIFETIME = timedelta(minutes=10)


class Caller:
    """The tenant, session and actor of a request. A plain class: Litestar passes it between
    dependencies as is (it would try to re-validate an attrs class field by field)."""

    __slots__ = ("actor", "session_id", "tenant_id")

    def __init__(
        self, *, tenant_id: UUID, session_id: UUID, actor: ResidentActor | StaffActor
    ) -> None:
        self.tenant_id, self.session_id, self.actor = tenant_id, session_id, actor

    @property
    def resident_id(self) -> UUID:
        assert isinstance(self.actor, ResidentActor)
        return self.actor.resident_id

    @property
    def as_resident(self) -> ResidentActor:
        assert isinstance(self.actor, ResidentActor)
        return self.actor

    @property
    def staff(self) -> StaffActor:
        assert isinstance(self.actor, StaffActor)
        return self.actor


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The client's address for the per-IP SMS limit (behind a proxy, run uvicorn with
    ``--proxy-headers``); a client with no IP address counts as ``0.0.0.0``."""
    host = request.client.host if request.client else ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return "0.0.0.0"


def _bearer(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("log in first: send Authorization: Bearer <token>")
    return token.strip()


def _require_declared(request: Request[Any, Any, Any], actor: StaffActor) -> None:
    """The route's ``opt["permission"]``: one permission, or a tuple of which any will do."""
    declared = request.route_handler.opt.get("permission")
    if isinstance(declared, Permission):
        actor.require(declared)
    elif isinstance(declared, tuple) and not any(actor.can(p) for p in declared):
        names = " or ".join(p.value for p in declared)
        raise PermissionDenied("permission.missing", f"this needs the {names} permission")


def _require_community(estate: Estate, tenant_id: UUID, community_id: UUID) -> None:
    """A community in the path must be the caller's tenant's: another tenant's id answers 404
    on every route, including lists that would otherwise answer an empty page."""
    uow = estate.uow(tenant_id)
    with uow:
        if uow.communities.find(community_id) is None:
            raise NotFound("community.not_found", "no such community")


def current_caller(
    request: Request[Any, Any, Any],
    login_sessions: NamedDependency[SqlLoginSessions],
    estate: NamedDependency[Estate],
) -> Caller:
    """The caller of a live session; a staff caller must hold the route's permission."""
    subject = login_sessions.resolve(_bearer(request))
    if subject is None:
        raise NotAuthorizedException("the session is unknown, expired or ended; log in again")
    if subject.kind == "staff":
        staff = staff_actor(estate.uow(subject.tenant_id), subject.subject_id)
        _require_declared(request, staff)
        actor: ResidentActor | StaffActor = staff
    else:
        actor = ResidentActor(resident_id=subject.subject_id)
    community_id = request.path_params.get("community_id")
    if isinstance(community_id, UUID):
        _require_community(estate, subject.tenant_id, community_id)
    return Caller(tenant_id=subject.tenant_id, session_id=subject.session_id, actor=actor)


def resident_caller(caller: NamedDependency[Caller]) -> Caller:
    if not isinstance(caller.actor, ResidentActor):
        raise PermissionDenied("auth.resident_only", "this is a resident's route")
    return caller


def staff_caller(caller: NamedDependency[Caller]) -> Caller:
    if not isinstance(caller.actor, StaffActor):
        raise PermissionDenied("permission.staff_only", "only staff may do this")
    return caller


@attrs.frozen(kw_only=True)
class Ticket:
    kind: SubjectKind
    phone: str


class LoginTickets:
    """A proved phone, sealed for the few minutes the client takes to pick its tenant.

    Sealed with AES-GCM under a key of its own derived from the secret key: the client can
    neither read nor forge one, and it expires after :data:`TICKET_LIFETIME`.
    """

    FIELD = "login_ticket"

    def __init__(self, secret_key: str) -> None:
        self._cipher = FieldCipher.from_secret_key(secret_key + " login tickets")

    def seal(self, ticket: Ticket, now: datetime) -> str:
        until = (now + TICKET_LIFETIME).isoformat()
        payload = json.dumps({"kind": ticket.kind, "phone": ticket.phone, "until": until})
        return base64.urlsafe_b64encode(self._cipher.encrypt(payload, self.FIELD)).decode()

    def open(self, sealed: str, kind: SubjectKind, now: datetime) -> Ticket:
        try:
            payload = json.loads(
                self._cipher.decrypt(base64.urlsafe_b64decode(sealed.encode()), self.FIELD)
            )
        except (UndecryptableValue, binascii.Error, ValueError):
            raise InvalidInput("login.invalid_ticket", "not a ticket this service gave") from None
        if payload["kind"] != kind or datetime.fromisoformat(payload["until"]) <= now:
            raise InvalidInput("login.ticket_expired", "the ticket has expired; log in again")
        return Ticket(kind=kind, phone=payload["phone"])
