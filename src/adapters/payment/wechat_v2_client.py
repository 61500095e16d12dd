"""wechatpy's API v2 client as the v2 adapter uses it: configured, signing, checked, translated.

wechatpy signs requests (MD5 by default, HMAC-SHA256 when the data says so) but checks neither
the signature of the answers nor that of notifications signed HMAC-SHA256, raises requests'
errors raw on a dead connection, and takes its base URL from a class attribute. This module sets
the account's sign type on every request, points the client at the account's base URL (the
gateway, its sandbox or our emulator), verifies every signed answer in both sign types, and turns
the SDK's errors into the port's :class:`GatewayRefused` / :class:`GatewayUnavailable`.
"""

from __future__ import annotations

import enum
import hmac
import ssl
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import requests
import xmltodict
from requests.adapters import HTTPAdapter
from wechatpy.exceptions import WeChatPayException
from wechatpy.pay import WeChatPay
from wechatpy.pay.utils import calculate_signature, calculate_signature_hmac

from estate_core.payments.gateway import GatewayRefused, GatewayUnavailable
from estate_core.payments.values import MerchantAccount
from estate_core.shared.clock import CHINA

PRODUCTION_BASE_URL = "https://api.mch.weixin.qq.com/"

RETRYABLE_CODES = frozenset({"SYSTEMERROR", "BIZERR_NEED_RETRY", "FREQUENCY_LIMITED", "NOTENOUGH"})
"""Error codes of v2 that pass: the same call may succeed later."""


class SignType(enum.StrEnum):
    MD5 = "MD5"
    HMAC_SHA256 = "HMAC-SHA256"


@attrs.frozen(kw_only=True)
class WeChatV2Account:
    """One tenant's WeChat Pay v2 receiving account, from plain configuration values.

    Direct mode: the company's own ``app_id`` / ``mch_id`` and API key. Partner mode (服务商):
    the service provider's ``app_id`` / ``mch_id`` and API key, plus the company's
    ``sub_mch_id`` and optional ``sub_app_id``. The refund API needs the merchant's API client
    certificate in production (PEM certificate and key, ``apiclient_cert.pem`` /
    ``apiclient_key.pem``); it is presented on every HTTPS call.
    """

    app_id: str
    mch_id: str
    api_key: str = attrs.field(repr=False)
    sign_type: SignType = SignType.MD5
    sub_mch_id: str | None = None
    sub_app_id: str | None = None
    client_cert_pem: str | None = attrs.field(default=None, repr=False)
    client_key_pem: str | None = attrs.field(default=None, repr=False)
    base_url: str = PRODUCTION_BASE_URL
    timeout: float = 10.0
    server_ip: str = "127.0.0.1"
    """``spbill_create_ip`` when the order names no payer IP (Native: the caller's own IP)."""

    @property
    def is_partner(self) -> bool:
        return self.sub_mch_id is not None

    @property
    def merchant(self) -> MerchantAccount:
        """The account payments record (``receiving_account``): in partner mode the service
        provider's ``appid``/``mch_id`` and the company's ``sub_mch_id``, all three checked."""
        return MerchantAccount(
            app_id=self.app_id, merchant_id=self.mch_id, sub_merchant_id=self.sub_mch_id
        )


def merchant_named(fields: Mapping[str, str]) -> MerchantAccount:
    """The receiving account as a signed gateway message names it, shaped like ``merchant``."""
    return MerchantAccount(
        app_id=fields.get("appid", ""),
        merchant_id=fields.get("mch_id", ""),
        sub_merchant_id=fields.get("sub_mch_id") or None,
    )


def sign(fields: Mapping[str, str], api_key: str, sign_type: SignType) -> str:
    """v2's signature of ``fields`` (``sign`` itself and empty values left out), by wechatpy."""
    params = {key: value for key, value in fields.items() if key != "sign"}
    if sign_type is SignType.HMAC_SHA256:
        return str(calculate_signature_hmac(params, api_key))
    return str(calculate_signature(params, api_key))


def signature_matches(fields: Mapping[str, str], api_key: str) -> bool:
    """Whether ``sign`` is the signature of ``fields`` in the sign type they declare.

    A message that declares no ``sign_type`` may be signed either way (the gateway signs
    answers in the request's type without saying so); both take the same secret key.
    """
    given = fields.get("sign")
    declared = fields.get("sign_type")
    if not given:
        return False
    if declared is None:
        candidates = list(SignType)
    elif declared in {kind.value for kind in SignType}:
        candidates = [SignType(declared)]
    else:
        return False
    return any(hmac.compare_digest(given, sign(fields, api_key, kind)) for kind in candidates)


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The flat fields of a v2 XML message; ValueError unless it is one (no nesting, no lists)."""
    try:
        document = xmltodict.parse(body)
    except Exception as exc:  # expat and xmltodict raise several unrelated types
        raise ValueError("not well-formed XML") from exc
    return flat_fields(document.get("xml") if isinstance(document, dict) else None)


def flat_fields(element: Any) -> dict[str, str]:
    """The fields of a parsed v2 element; ValueError unless every one is a plain value."""
    if not isinstance(element, dict):
        raise ValueError("not an element of fields")
    fields: dict[str, str] = {}
    for key, value in element.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"<{key}> is not a plain value")
        fields[key] = value
    return fields


def fen(value: str | None) -> int:
    """A v2 amount field: a positive integer of fen, else ValueError."""
    if value is None or not value.isascii() or not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{value!r} is not an amount of fen")
    return int(value)


def gateway_time(value: str | None) -> datetime | None:
    """A v2 time (``yyyyMMddHHmmss``, Beijing time) as UTC; ValueError when malformed."""
    if value is None:
        return None
    return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=CHINA).astimezone(UTC)


class ForgedAnswer(Exception):
    """An answer whose signature is not the gateway's."""


class _ClientCertificate(HTTPAdapter):
    """HTTPS with the merchant's API client certificate, held in memory.

    ``ssl`` loads a certificate only from files: the PEMs go to a private temporary directory
    just long enough to load them into the context, so the key does not stay on disk.
    """

    def __init__(self, cert_pem: str, key_pem: str) -> None:
        self._context = ssl.create_default_context()
        with tempfile.TemporaryDirectory(prefix="estate-wechat-") as folder:
            cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
            cert.write_text(cert_pem)
            key.write_text(key_pem)
            self._context.load_cert_chain(cert, key)
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)


class V2Client(WeChatPay):  # type: ignore[misc]
    """wechatpy's ``WeChatPay`` for one account (never WeChat's own ``sandbox`` switch, which
    fetches a sandbox key from WeChat's servers): the base URL is the instance's
    ``API_BASE_URL``, which wechatpy reads on every request."""

    def __init__(self, account: WeChatV2Account) -> None:
        super().__init__(
            appid=account.app_id,
            api_key=account.api_key,
            mch_id=account.mch_id,
            sub_mch_id=account.sub_mch_id,
            sub_appid=account.sub_app_id,
            timeout=account.timeout,
        )
        self.API_BASE_URL = account.base_url.rstrip("/") + "/"
        self.sign_type = account.sign_type
        if account.client_cert_pem and account.client_key_pem:
            adapter = _ClientCertificate(account.client_cert_pem, account.client_key_pem)
            self._http.mount("https://", adapter)

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if isinstance(data, dict) and self.sign_type is SignType.HMAC_SHA256:
            data["sign_type"] = SignType.HMAC_SHA256.value
        return super()._request(method, url_or_endpoint, **kwargs)

    def _handle_result(self, res: requests.Response) -> Any:
        result = super()._handle_result(res)
        if isinstance(result, dict) and not signature_matches(result, self.api_key):
            raise ForgedAnswer(res.url)
        return result


def answer_fields(result: Any) -> dict[str, str]:
    """A successful answer of an XML endpoint; a non-XML one is the gateway misbehaving."""
    if not isinstance(result, dict):
        raise GatewayUnavailable("WeChat Pay answered with something other than XML")
    return {key: value for key, value in result.items() if isinstance(value, str)}


@contextmanager
def gateway_errors() -> Iterator[None]:
    """Translate the SDK's errors into the port's; ``gateway_code`` keeps v2's error code."""
    try:
        yield
    except WeChatPayException as exc:
        raise _translated(exc) from exc
    except ForgedAnswer as exc:
        raise GatewayUnavailable("an answer failed its signature check", url=str(exc)) from exc
    except KeyError as exc:  # wechatpy reads return_code from any XML it gets
        raise GatewayUnavailable(f"an answer without {exc}") from exc
    except requests.RequestException as exc:
        raise GatewayUnavailable(f"WeChat Pay unreachable: {type(exc).__name__}") from exc


def _translated(exc: WeChatPayException) -> GatewayRefused | GatewayUnavailable:
    if exc.return_code is None:
        status = getattr(exc.response, "status_code", None)
        message = f"WeChat Pay answered HTTP {status}"
        if status is None or status >= 500 or status == 429:
            return GatewayUnavailable(message, http_status=status)
        return GatewayRefused(message, http_status=status)
    code = exc.errcode or exc.return_code
    message = f"WeChat Pay said {code}: {exc.errmsg or exc.return_msg or ''}".strip()
    details = {"gateway_code": code, "gateway_message": exc.return_msg}
    if exc.errcode in RETRYABLE_CODES:
        return GatewayUnavailable(message, **details)
    return GatewayRefused(message, **details)
