"""The resident portal H5 (phone-sized): home, a home's bills, repairs 报修 with a photo from
the camera, following and rating them. Each handler calls the use case or read-model query the
API's route calls; the core checks the household (another home answers 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from adapters.persistence.sqlalchemy.auth import SqlLoginSessions
from entrypoints.bootstrap import Estate
from entrypoints.config import Settings
from entrypoints.http.api.uploads import photo_response
from entrypoints.http.auth import Caller
from entrypoints.http.uploads import store_photo
from entrypoints.web.forms import PAGE_ERRORS, Form, Multipart, page
from entrypoints.web.pages import resident_login
from entrypoints.web.session import page_caller
from estate_core.billing import queries as bills
from estate_core.properties import services as properties
from estate_core.service import workorder_queries as orders
from estate_core.service import workorder_services as repairs
from estate_core.shared.clock import local_date
from estate_core.shared.files import FileStorage
from estate_core.shared.money import total
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest

TEXT = {
    "app": "业主服务",
    "home": "首页",
    "my_homes": "我的房屋",
    "bind_first": "先绑定房屋：绑定后才能查看账单、在线报修",
    "bills": "账单",
    "due": "待缴",
    "paid": "已缴",
    "upcoming": "未到期",
    "total": "合计",
    "overdue": "已逾期",
    "late_fee": "滞纳金",
    "none": "暂无",
    "pay_later": "在线缴费即将开放",
    "repairs": "报修",
    "new_repair": "我要报修",
    "category": "报修类别",
    "description": "问题描述",
    "photo": "拍照上传",
    "submit": "提交",
    "status": "状态",
    "technician": "维修师傅",
    "rate": "评价",
    "stars": "星级",
    "comment": "评价内容",
    "rated": "感谢您的评价",
    "logout": "退出登录",
}
STATUS_TEXT = {
    "pending": "待派单",
    "approved": "已审核",
    "rejected": "已驳回",
    "dispatched": "已派单",
    "accepted": "维修中",
    "completed": "已完成",
    "closed": "已关闭",
    "cancelled": "已取消",
}

Estate_ = NamedDependency[Estate]
Me = NamedDependency[Caller]


def _resident(
    request: Request[Any, Any, Any],
    login_sessions: NamedDependency[SqlLoginSessions],
    estate: Estate_,
) -> Caller:
    return page_caller(request, login_sessions, estate, "resident")


def _homes(estate: Estate, me: Caller) -> list[properties.Membership]:
    uow = estate.uow(me.tenant_id)
    with uow:
        return properties.memberships(uow, me.resident_id, local_date(estate.clock.now()))


def _show(name: str, **context: Any) -> Template:
    return page(name, TEXT, statuses=STATUS_TEXT, **context)


@get("/", sync_to_thread=True)
def home(me: Me, estate: Estate_) -> Template:
    return _show("resident/home.html", homes=_homes(estate, me))


@get("/homes/{property_id:uuid}/bills", sync_to_thread=True)
def home_bills(property_id: FromPath[UUID], me: Me, estate: Estate_) -> Template:
    """The three lists of seed 001 §2.2.4 with their totals (first 200 of each)."""
    lists = {
        view.value: bills.list_property_bills(
            estate.uow(me.tenant_id),
            estate.clock,
            me.actor,
            bills.ListPropertyBills(
                property_id=property_id, view=view, page=PageRequest(limit=MAX_PAGE_SIZE)
            ),
        ).items
        for view in bills.BillView
    }
    totals = {
        "due": total([line.total_due for line in lists["due"]]),
        "paid": total([line.amount_paid for line in lists["paid"]]),
        "upcoming": total([line.amount_due for line in lists["upcoming"]]),
    }
    return _show("resident/bills.html", lists=lists, totals=totals)


@get("/repairs", sync_to_thread=True)
def my_repairs(me: Me, estate: Estate_) -> Template:
    found = orders.my_work_orders(estate.uow(me.tenant_id), me.actor, PageRequest(limit=50))
    return _show("resident/repairs.html", orders=found.items, homes=_homes(estate, me))


@get("/repairs/new", sync_to_thread=True)
def new_repair(me: Me, estate: Estate_) -> Template:
    return _show("resident/new_repair.html", homes=_homes(estate, me))


@dataclass
class RepairForm:
    property_id: UUID
    category: str
    description: str
    photo: UploadFile | None = None


@post("/repairs", sync_to_thread=True)
def report(
    data: Multipart[RepairForm],
    me: Me,
    estate: Estate_,
    files: NamedDependency[FileStorage],
    settings: NamedDependency[Settings],
) -> Redirect:
    photos: list[str] = []
    if data.photo is not None and data.photo.filename:
        content = data.photo.file.read(settings.upload_max_bytes + 1)
        photos.append(store_photo(files, me.tenant_id, content, settings.upload_max_bytes))
    created = repairs.report_repair(
        estate.uow(me.tenant_id),
        estate.clock,
        me.actor,
        repairs.ReportRepair(
            property_id=data.property_id,
            category=data.category,
            description=data.description,
            photos=photos,
        ),
    )
    return Redirect(f"/h5/repairs/{created}")


@get("/repairs/{work_order_id:uuid}", sync_to_thread=True)
def repair(work_order_id: FromPath[UUID], me: Me, estate: Estate_) -> Template:
    found = orders.get_work_order(estate.uow(me.tenant_id), me.actor, work_order_id)
    return _show("resident/repair.html", order=found, rated=False)


@get("/repairs/{work_order_id:uuid}/photos/{key:str}", sync_to_thread=True)
def repair_photo(
    work_order_id: FromPath[UUID],
    key: FromPath[str],
    me: Me,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> Response[bytes]:
    found = orders.get_work_order(estate.uow(me.tenant_id), me.actor, work_order_id)
    return photo_response(files, me.tenant_id, key, (*found.photos, *found.completion_photos))


@dataclass
class RateForm:
    stars: int
    text: str = ""


@post("/repairs/{work_order_id:uuid}/rate", sync_to_thread=True, status_code=200)
def rate(work_order_id: FromPath[UUID], data: Form[RateForm], me: Me, estate: Estate_) -> Template:
    """Answers the htmx partial that replaces the rating form."""
    repairs.rate_repair(
        estate.uow(me.tenant_id),
        estate.clock,
        me.actor,
        repairs.RateRepair(work_order_id=work_order_id, stars=data.stars, text=data.text),
    )
    return _show("resident/_rated.html")


router = Router(
    path="/h5",
    route_handlers=[
        *resident_login.HANDLERS,
        home,
        home_bills,
        my_repairs,
        new_repair,
        report,
        repair,
        repair_photo,
        rate,
    ],
    dependencies={"me": Provide(_resident, sync_to_thread=True)},
    exception_handlers=PAGE_ERRORS,  # type: ignore[arg-type]
    include_in_schema=False,
)
