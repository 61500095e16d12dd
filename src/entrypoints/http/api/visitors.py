"""Visitor passes 访客通行证: members register visitors and share the QR code (PNG or SVG, made
with segno), guards with ``visitor.verify`` admit the party by the code's token."""

from __future__ import annotations

import io
from uuid import UUID

import segno
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.community import (
    GateCheckView,
    IssuedPassView,
    NewVisitorPass,
    VerifyPass,
    VisitorPassView,
)
from entrypoints.http.views import page_request, paged, view
from estate_core.community.services import visitors
from estate_core.shared.access import Permission

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
VERIFY = {"permission": Permission.VISITOR_VERIFY}
QR_SCALE = 8
"""Pixels per module of the PNG: about 260 px for a token, easy for a gate scanner."""


@post("/visitor-passes", sync_to_thread=True, summary="Register a visitor (member of the home)")
def register(data: JSONBody[NewVisitorPass], resident: Caller_, estate: Estate_) -> IssuedPassView:
    issued = visitors.register_visitor(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.as_resident,
        visitors.RegisterVisitor(
            property_id=data.property_id,
            visitor_name=data.visitor_name,
            visitor_phone=data.visitor_phone,
            head_count=data.head_count,
            plate=data.plate,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            max_entries=data.max_entries,
        ),
    )
    return view(IssuedPassView, issued)


@get(
    "/visitor-passes/mine",
    sync_to_thread=True,
    summary="访客记录: the passes I registered, newest first (resident)",
)
def mine(
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[VisitorPassView]:
    found = visitors.visitor_history(
        estate.uow(resident.tenant_id), resident.as_resident, page_request(limit, after)
    )
    return paged(VisitorPassView, found)


def _qr(estate: Estate, resident: Caller, pass_id: UUID) -> segno.QRCode:
    found = visitors.my_visitor_pass(estate.uow(resident.tenant_id), resident.as_resident, pass_id)
    assert found.token is not None
    return segno.make(found.token, error="m")


@get(
    "/visitor-passes/{pass_id:uuid}/qr.png",
    sync_to_thread=True,
    media_type="image/png",
    summary="The pass's QR code as a PNG (its creator)",
)
def qr_png(pass_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> Response[bytes]:
    out = io.BytesIO()
    _qr(estate, resident, pass_id).save(out, kind="png", scale=QR_SCALE)
    return Response(out.getvalue(), media_type="image/png")


@get(
    "/visitor-passes/{pass_id:uuid}/qr.svg",
    sync_to_thread=True,
    media_type="image/svg+xml",
    summary="The pass's QR code as an SVG (its creator)",
)
def qr_svg(pass_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> Response[bytes]:
    out = io.BytesIO()
    _qr(estate, resident, pass_id).save(out, kind="svg", scale=QR_SCALE, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")


@post(
    "/visitor-passes/{pass_id:uuid}/revoke",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=VERIFY,
    summary="Revoke a pass (its creator, or staff with visitor.verify)",
)
def revoke(pass_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> None:
    visitors.revoke_visitor_pass(estate.uow(caller.tenant_id), estate.clock, caller.actor, pass_id)


@post(
    "/visitor-passes/verify",
    status_code=200,
    sync_to_thread=True,
    opt=VERIFY,
    summary="Admit the party of a scanned pass and record the entry (guard)",
)
def verify(data: JSONBody[VerifyPass], staff: Caller_, estate: Estate_) -> GateCheckView:
    checked = visitors.verify_visitor_pass(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        visitors.VerifyVisitorPass(token=data.token, community_id=data.community_id),
    )
    return view(GateCheckView, checked)


@get(
    "/communities/{community_id:uuid}/visitor-passes",
    sync_to_thread=True,
    opt=VERIFY,
    summary="The gate's history: every pass of the community, newest first (staff)",
)
def log(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[VisitorPassView]:
    found = visitors.community_visitor_log(
        estate.uow(staff.tenant_id), staff.actor, community_id, page_request(limit, after)
    )
    return paged(VisitorPassView, found)


router = Router(
    path="",
    route_handlers=[register, mine, qr_png, qr_svg, revoke, verify, log],
    tags=["visitors"],
)
