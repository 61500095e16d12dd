"""Calling Alipay through the SDK: keys in, answers out, every error a domain error.

The SDK returns an answer whatever its ``code``; only ``10000`` is success. ``20000`` (服务不可用)
and the ``SYSTEM_ERROR`` sub-codes may pass and become :class:`GatewayUnavailable`, as do
unreachable or untrustworthy answers; every other code is :class:`GatewayRefused`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from alipay.exceptions import AliPayException, AliPayValidationError
from Cryptodome.PublicKey import RSA

from estate_core.payments.gateway import GatewayRefused, GatewayUnavailable
from estate_core.shared.errors import InvalidInput

log = logging.getLogger(__name__)

SUCCESS = "10000"


def pem(key: str, what: str) -> str:
    """Keys are PEM with their header lines; Alipay's console shows bare base64, refused here."""
    if "-----BEGIN" not in key:
        raise InvalidInput("payment.invalid_key", f"the {what} must be PEM with header lines")
    try:
        RSA.import_key(key)
    except (ValueError, IndexError, TypeError):
        raise InvalidInput("payment.invalid_key", f"the {what} is not an RSA key") from None
    return key


def call(operation: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run one SDK call; any ``code`` but 10000 becomes a domain error (the SDK returns it)."""
    try:
        answer = operation(*args, **kwargs)
    except AliPayValidationError:
        raise GatewayUnavailable("Alipay's answer did not carry Alipay's signature") from None
    except AliPayException as error:
        code = str(getattr(error, "_AliPayException__code", None) or "")
        raise error_for(code, "", "Alipay answered an unsigned error") from None
    except OSError as error:
        raise GatewayUnavailable(f"Alipay could not be reached: {error}") from None
    except ValueError:
        raise GatewayUnavailable("Alipay answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise GatewayUnavailable("Alipay answered something that is not an object")
    code = str(answer.get("code"))
    if code != SUCCESS:
        sub_code = str(answer.get("sub_code", ""))
        message = f"Alipay said {code} {sub_code}: {answer.get('sub_msg') or answer.get('msg')}"
        log.info("alipay refused a call: %s", message)
        raise error_for(code, sub_code, message)
    return answer


def error_for(code: str, sub_code: str, message: str) -> GatewayRefused | GatewayUnavailable:
    """20000 (服务不可用) and the ``SYSTEM_ERROR`` sub-codes may pass; the rest will not."""
    if code == "20000" or sub_code.endswith("SYSTEM_ERROR"):
        return GatewayUnavailable(message, alipay_code=code, sub_code=sub_code)
    return GatewayRefused(message, alipay_code=code, sub_code=sub_code)


def field(answer: Mapping[str, Any], name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise GatewayUnavailable(f"Alipay's answer has no {name}")
    return value
