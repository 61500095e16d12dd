"""Visitor use cases (访客登记): members register visitors, guards admit them, history is kept.

See :mod:`estate_core.community.visitor` for the rules of a pass (window, entries, token).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.community.ports import CommunityUnitOfWork
from estate_core.community.services.common import active_resident, aware
from estate_core.community.visitor import (
    DEFAULT_MAX_ENTRIES,
    PassState,
    Visit,
    VisitorEntry,
    VisitorPass,
    mask_phone,
    normalize_plate,
)
from estate_core.identity.model import normalize_phone
from estate_core.properties.services import require_member
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest

DEFAULT_WINDOW = timedelta(hours=24)
"""A visit registered without an end is valid for 24 hours from its start."""


@attrs.frozen(kw_only=True)
class IssuedPass:
    """What the member shares with the visitor: the token is what the QR code encodes."""

    pass_id: UUID
    token: str
    valid_from: datetime
    valid_until: datetime
    max_entries: int


@attrs.frozen(kw_only=True)
class GateCheck:
    """What the guard sees after admitting the party (visitor's phone masked)."""

    pass_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int
    plate: str
    address: str
    valid_until: datetime
    entries_left: int


@attrs.frozen(kw_only=True)
class VisitorPassView:
    """A pass in a history list; ``token`` only in the creator's own history."""

    id: UUID
    community_id: UUID
    property_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int
    plate: str
    valid_from: datetime
    valid_until: datetime
    max_entries: int
    state: PassState
    created_at: datetime
    entries: tuple[VisitorEntry, ...]
    token: str | None


def _view(visitor_pass: VisitorPass, *, own: bool) -> VisitorPassView:
    visit = visitor_pass.visit
    return VisitorPassView(
        id=visitor_pass.id,
        community_id=visitor_pass.community_id,
        property_id=visitor_pass.property_id,
        visitor_name=visit.visitor_name,
        visitor_phone=visit.visitor_phone if own else mask_phone(visit.visitor_phone),
        head_count=visit.head_count,
        plate=visit.plate,
        valid_from=visit.valid_from,
        valid_until=visit.valid_until,
        max_entries=visit.max_entries,
        state=visitor_pass.state,
        created_at=visitor_pass.created_at,
        entries=tuple(visitor_pass.entries),
        token=visitor_pass.token if own else None,
    )


@attrs.frozen(kw_only=True)
class RegisterVisitor:
    """A member registers a visitor for one of their homes (window defaults to 24 h from now)."""

    property_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int = 1
    plate: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_entries: int = DEFAULT_MAX_ENTRIES


def register_visitor(
    uow: CommunityUnitOfWork, clock: Clock, actor: ResidentActor, cmd: RegisterVisitor
) -> IssuedPass:
    now = clock.now()
    valid_from = aware(cmd.valid_from, "valid_from") if cmd.valid_from else now
    valid_until = (
        aware(cmd.valid_until, "valid_until") if cmd.valid_until else valid_from + DEFAULT_WINDOW
    )
    visit = Visit(
        visitor_name=cmd.visitor_name.strip(),
        visitor_phone=normalize_phone(cmd.visitor_phone),
        head_count=cmd.head_count,
        plate=normalize_plate(cmd.plate),
        valid_from=valid_from,
        valid_until=valid_until,
        max_entries=cmd.max_entries,
    )
    with uow:
        household, _ = require_member(uow, actor.resident_id, cmd.property_id, local_date(now))
        issued = VisitorPass.issue(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=household.community_id,
            property_id=household.property_id,
            resident_id=actor.resident_id,
            visit=visit,
            now=now,
        )
        uow.visitor_passes.add(issued)
        uow.commit()
        return IssuedPass(
            pass_id=issued.id,
            token=issued.token,
            valid_from=visit.valid_from,
            valid_until=visit.valid_until,
            max_entries=visit.max_entries,
        )


@attrs.frozen(kw_only=True)
class VerifyVisitorPass:
    """The guard scans the QR code; ``community_id`` is the gate's community, when known."""

    token: str
    community_id: UUID | None = None


def verify_visitor_pass(
    uow: CommunityUnitOfWork, clock: Clock, actor: Actor, cmd: VerifyVisitorPass
) -> GateCheck:
    """Admit the party and record the entry (time, guard), or refuse with the reason's code.

    A pass also stops working when its creator has left the home or been disabled: a tenant whose
    lease ended cannot keep letting people in.
    """
    now = clock.now()
    with uow:
        visitor_pass = uow.visitor_passes.find_by_token(cmd.token.strip())
        if visitor_pass is None:
            raise NotFound("visitor_pass.not_found", "no pass with this code")
        guard = require_staff(actor, Permission.VISITOR_VERIFY, visitor_pass.community_id)
        if cmd.community_id is not None and cmd.community_id != visitor_pass.community_id:
            raise Conflict("visitor_pass.wrong_community", "this pass is for another community")
        host = uow.residents.find(visitor_pass.resident_id)
        household = uow.households.for_property(visitor_pass.property_id)
        if (
            host is None
            or host.disabled
            or household is None
            or household.role_of(host.id, local_date(now)) is None
        ):
            raise Conflict("visitor_pass.host_left", "the resident who registered it has left")
        visitor_pass.admit(guard.staff_id, now)
        uow.commit()
        visit = visitor_pass.visit
        return GateCheck(
            pass_id=visitor_pass.id,
            visitor_name=visit.visitor_name,
            visitor_phone=mask_phone(visit.visitor_phone),
            head_count=visit.head_count,
            plate=visit.plate,
            address=uow.properties.get(visitor_pass.property_id).address,
            valid_until=visit.valid_until,
            entries_left=visitor_pass.entries_left,
        )


def revoke_visitor_pass(
    uow: CommunityUnitOfWork, clock: Clock, actor: Actor, pass_id: UUID
) -> None:
    """Its creator or staff (visitor.verify in the community) revoke a pass."""
    with uow:
        visitor_pass = uow.visitor_passes.get(pass_id)
        if isinstance(actor, ResidentActor):
            if visitor_pass.resident_id != actor.resident_id:
                raise NotFound("visitor_pass.not_found", "no such visitor pass")
            active_resident(uow, actor.resident_id)
        else:
            require_staff(actor, Permission.VISITOR_VERIFY, visitor_pass.community_id)
        visitor_pass.revoke(clock.now(), by_staff=not isinstance(actor, ResidentActor))
        uow.commit()


def visitor_history(
    uow: CommunityUnitOfWork, actor: ResidentActor, page: PageRequest
) -> Page[VisitorPassView]:
    """访客记录: every pass the resident registered, newest first, with its entries."""
    with uow:
        active_resident(uow, actor.resident_id)
        found = uow.visitor_passes.of_resident(actor.resident_id, page)
        return Page(items=[_view(p, own=True) for p in found.items], next_cursor=found.next_cursor)


def my_visitor_pass(
    uow: CommunityUnitOfWork, actor: ResidentActor, pass_id: UUID
) -> VisitorPassView:
    """One pass its creator registered, with its token (for the QR code); anyone else's
    answers not found, so a pass id reveals nothing."""
    with uow:
        active_resident(uow, actor.resident_id)
        visitor_pass = uow.visitor_passes.find(pass_id)
        if visitor_pass is None or visitor_pass.resident_id != actor.resident_id:
            raise NotFound("visitor_pass.not_found", "no such visitor pass")
        return _view(visitor_pass, own=True)


def community_visitor_log(
    uow: CommunityUnitOfWork, actor: Actor, community_id: UUID, page: PageRequest
) -> Page[VisitorPassView]:
    """The gate's history for staff: every pass of the community, newest first."""
    require_staff(actor, Permission.VISITOR_VERIFY, community_id)
    with uow:
        found = uow.visitor_passes.in_community(community_id, page)
        return Page(items=[_view(p, own=False) for p in found.items], next_cursor=found.next_cursor)
