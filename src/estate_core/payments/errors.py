"""Errors of the payments context that callers tell apart by class (the rest use the shared
kinds with a ``payment.*`` code)."""

from __future__ import annotations

from estate_core.shared.errors import Conflict


class AmountMismatch(Conflict):
    code = "payment.amount_mismatch"


class MerchantMismatch(Conflict):
    code = "payment.merchant_mismatch"
