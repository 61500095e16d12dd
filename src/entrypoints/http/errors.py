"""Every error as RFC 9457 problem+json carrying the domain error code (DESIGN.md §6).

The one place that maps an error to an HTTP status: by the domain error's class for the core's
errors, and by Litestar's own status for the framework's (validation, unknown route...).
Validation errors name the field (``errors[].field``, a JSON path like ``$.phone``).
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from entrypoints.http.uploads import UploadTooLarge
from estate_core.shared.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)

_log = logging.getLogger("estate.http")

PROBLEM_JSON = "application/problem+json"

STATUS_OF_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (UploadTooLarge, 413),
    (InvalidInput, 422),
    (NotFound, 404),
    (PermissionDenied, 403),
    (RateLimited, 429),
    (Conflict, 409),
)
"""The domain's error classes and their statuses; any other DomainError is a 409 (a rule)."""

_AT = re.compile(r"- at `(\$[^`]*)`")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")


STATUS_OF_CODE: dict[str, int] = {
    "household.not_member": 404,
}
"""Codes answered as if the object did not exist: another household's property, whose
existence a resident must not learn (object-level authorisation, DESIGN.md §3). Staff outside
their data scope get 403 ``permission.out_of_scope``: they are the company's own people."""


def status_of(error: DomainError) -> int:
    if error.code in STATUS_OF_CODE:
        return STATUS_OF_CODE[error.code]
    for kind, status in STATUS_OF_ERROR:
        if isinstance(error, kind):
            return status
    return 409


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://estate.dev/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[dict[str, Any]]:
    status = status_of(error)
    headers = None
    retry_after = error.details.get("retry_after")
    if isinstance(error, RateLimited) and isinstance(retry_after, int):
        headers = {"Retry-After": str(max(retry_after, 1))}
    reason = error.details.get("reason")
    extra = {"reason": reason} if isinstance(reason, str) else {}
    return problem(status, error.code, error.message, headers=headers, **extra)


def _field(message: str, key: object) -> str:
    """The JSON path of the field a message names: msgspec says ``- at `$.x```, or ``unknown
    field `x``` for the body itself; Litestar names query and path parameters by ``key``."""
    at = _AT.search(message)
    path = at.group(1) if at else "$"
    unknown = _UNKNOWN.search(message)
    if unknown:
        return f"{path}.{unknown.group(1)}"
    if at:
        return path
    return f"$.{key}" if key and key != "data" else "$"


def validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[dict[str, Any]]:
    """msgspec's and Litestar's validation messages, each with the field it names."""
    items = error.extra if isinstance(error.extra, list) else []
    errors = []
    for item in items:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        field = _field(message, item.get("key") if isinstance(item, dict) else None)
        errors.append({"field": field, "message": message})
    if not errors:
        errors.append({"field": "$", "message": error.detail})
    return problem(422, "input.invalid", errors[0]["message"], errors=errors)


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    status = error.status_code
    code = {
        401: "auth.required",
        404: "not_found",
        405: "method.not_allowed",
        413: "upload.too_large",
    }.get(status, f"http.{status}")
    return problem(status, code, error.detail, headers=error.headers)


def unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    _log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal", "something went wrong on our side")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
