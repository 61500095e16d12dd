"""The API's routers, under ``/api/v1``: each context module adds its router to :data:`ROUTERS`
here, so a new context never edits ``app.py``."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.api import (
    activities,
    auth,
    billing,
    complaints,
    coupons,
    identity,
    merchants,
    notices,
    orders,
    properties,
    staff,
    uploads,
    visitors,
    workorder_staff,
    workorders,
)

ROUTERS: list[Router] = [
    auth.router,
    identity.router,
    staff.router,
    properties.router,
    billing.router,
    workorders.router,
    workorder_staff.router,
    complaints.router,
    notices.router,
    activities.router,
    visitors.router,
    merchants.router,
    coupons.router,
    orders.router,
    uploads.router,
]
