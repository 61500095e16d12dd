"""The staff console (desktop): the dashboard per community with the collection-rate chart, and
the work-order board 报修派单 where a dispatcher sends a repair to a technician. Each handler
calls the read-model query or use case the API's route calls; the core checks permissions and
data scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from adapters.persistence.sqlalchemy.auth import SqlLoginSessions
from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.web.charts import collection_chart
from entrypoints.web.forms import PAGE_ERRORS, Form, page
from entrypoints.web.pages import console_login
from entrypoints.web.pages.resident import STATUS_TEXT
from entrypoints.web.session import page_caller
from estate_core.billing.services import community_today
from estate_core.identity import services as identity
from estate_core.identity import staff_services
from estate_core.reports import queries as reports
from estate_core.service import workorder_queries as orders
from estate_core.service import workorder_services as repairs
from estate_core.shared.clock import CHINA
from estate_core.shared.errors import InvalidInput, NotFound
from estate_core.shared.pagination import PageRequest

TEXT = {
    "title": "物业管理后台",
    "dashboard": "工作台",
    "board": "报修派单",
    "community": "小区",
    "switch": "切换",
    "collection_rate": "收缴率（近六个月）",
    "month": "月份",
    "billed": "应收",
    "collected": "已收",
    "dispatch": "派单",
    "technician": "维修师傅",
    "arrival": "预计上门",
    "category": "类别",
    "reported": "报修时间",
    "empty": "暂无",
    "logout": "退出登录",
}
BOARD_COLUMNS = ("pending", "approved", "dispatched", "accepted", "completed")

Estate_ = NamedDependency[Estate]
Staff_ = NamedDependency[Caller]


def _staff(
    request: Request[Any, Any, Any],
    login_sessions: NamedDependency[SqlLoginSessions],
    estate: Estate_,
) -> Caller:
    return page_caller(request, login_sessions, estate, "staff")


def _communities(estate: Estate, staff: Caller) -> list[identity.CommunityView]:
    return list(
        identity.list_communities(estate.uow(staff.tenant_id), PageRequest(limit=200)).items
    )


def _community(communities: list[identity.CommunityView], wanted: UUID | None) -> Any:
    for community in communities:
        if wanted is None or community.id == wanted:
            return community
    raise NotFound("community.not_found", "no such community")


def _show(name: str, **context: Any) -> Template:
    return page(name, TEXT, statuses=STATUS_TEXT, **context)


MONTHS_SHOWN = 6


def _month_starts(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months up to this one, oldest first."""
    months = today.year * 12 + today.month - 1
    return [date(month // 12, month % 12 + 1, 1) for month in range(months - count + 1, months + 1)]


@get("/", sync_to_thread=True)
def dashboard(staff: Staff_, estate: Estate_, community: FromQuery[UUID | None] = None) -> Template:
    communities = _communities(estate, staff)
    current = _community(communities, community)
    uow = estate.uow(staff.tenant_id)
    with uow:
        today = community_today(uow, estate.clock, current.id)
    starts = _month_starts(today, MONTHS_SHOWN)
    lines = reports.collection_rate(
        estate.reports(staff.tenant_id),
        staff.actor,
        reports.ReportRange(community_id=current.id, start=starts[0], end=today),
    )
    by_period = {line.figures.period_start: line for line in lines}
    months = [(start, by_period.get(start)) for start in starts]
    return _show(
        "console/dashboard.html",
        communities=communities,
        current=current,
        months=months,
        chart=collection_chart(months),
    )


@get("/communities/{community_id:uuid}/work-orders", sync_to_thread=True)
def board(community_id: FromPath[UUID], staff: Staff_, estate: Estate_) -> Template:
    communities = _communities(estate, staff)
    current = _community(communities, community_id)
    found = orders.community_work_orders(
        estate.uow(staff.tenant_id),
        staff.actor,
        orders.ListCommunityWorkOrders(community_id=community_id, page=PageRequest(limit=200)),
    )
    staff_list = staff_services.list_staff(
        estate.uow(staff.tenant_id), staff.actor, PageRequest(limit=200)
    )
    columns = {
        status: [o for o in found.items if o.status.value == status] for status in BOARD_COLUMNS
    }
    return _show(
        "console/board.html",
        communities=communities,
        current=current,
        columns=columns,
        technicians=[s for s in staff_list.items if not s.disabled],
    )


@dataclass
class DispatchForm:
    technician_id: UUID
    expected_arrival: str


@post("/work-orders/{work_order_id:uuid}/dispatch", sync_to_thread=True)
def dispatch(
    work_order_id: FromPath[UUID], data: Form[DispatchForm], staff: Staff_, estate: Estate_
) -> Redirect:
    try:
        arrival = datetime.fromisoformat(data.expected_arrival).replace(tzinfo=CHINA)
    except ValueError:
        raise InvalidInput("workorder.invalid_arrival", "not a date and time") from None
    repairs.dispatch_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.DispatchRepair(
            work_order_id=work_order_id, technician_id=data.technician_id, expected_arrival=arrival
        ),
    )
    found = orders.get_work_order(estate.uow(staff.tenant_id), staff.actor, work_order_id)
    return Redirect(f"/console/communities/{found.community_id}/work-orders")


router = Router(
    path="/console",
    route_handlers=[*console_login.HANDLERS, dashboard, board, dispatch],
    dependencies={"staff": Provide(_staff, sync_to_thread=True)},
    exception_handlers=PAGE_ERRORS,  # type: ignore[arg-type]
    include_in_schema=False,
)
