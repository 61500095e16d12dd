"""What every page module shares: the form bodies, template responses carrying the page's
words, and turning a domain error into the page that explains it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from entrypoints.http.errors import status_of
from entrypoints.web.session import LOGIN_PAGE, LoginRequired
from estate_core.shared.errors import DomainError

T = TypeVar("T")
Form = Annotated[T, Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[T, Body(media_type=RequestEncodingType.MULTI_PART)]

ERROR_TEXT = {
    "title": "出错了",
    "back": "返回",
    "not_found": "没有找到这个页面",
}


def page(name: str, text: Mapping[str, str], status_code: int = 200, **context: Any) -> Template:
    """The template ``name`` with the page's interface text as ``t``."""
    return Template(template_name=name, context={"t": text, **context}, status_code=status_code)


def login_redirect(_: Request[Any, Any, Any], error: LoginRequired) -> Response[Any]:
    return Redirect(LOGIN_PAGE[error.area])


def error_page(_: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    """A domain error as a page: its message and code, with the API's status (another
    household's home answers 404 as if it did not exist)."""
    status = status_of(error)
    message = ERROR_TEXT["not_found"] if status == 404 else error.message
    return page(
        "shared/error.html", ERROR_TEXT, status_code=status, message=message, code=error.code
    )


PAGE_ERRORS = {LoginRequired: login_redirect, DomainError: error_page}
