"""SMS verification codes 短信验证码 and the send limits that protect them (DESIGN.md §9).

- A code is 6 digits from :mod:`secrets`, stored only as an HMAC-SHA256 keyed with a secret
  pepper (so a copy of the table does not give the codes away), valid 10 minutes, single use,
  and dead after 5 wrong tries. Sending a new code for the same phone and purpose supersedes
  the previous one, so a guesser gets 5 tries per code sent.
- Sends are limited to 1 a minute, 5 an hour and 10 a day per phone, and 20 an hour per client
  IP address (an IPv6 client counts by its /64 network, which one host usually holds whole).
  Windows slide: a send counts against a window while it is younger than the window. The limits
  are kept in one :class:`SmsThrottle` row per phone and per IP, so two concurrent sends for the
  same phone conflict on commit instead of both passing.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import math
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.shared.errors import DomainError, InvalidInput, InvalidTransition, RateLimited
from estate_core.shared.events import Aggregate

CODE_DIGITS = 6
CODE_VALIDITY = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
PEPPER_MIN_BYTES = 16


class SmsPurpose(enum.StrEnum):
    LOGIN = "login"
    CHANGE_PHONE_OLD = "change_phone_old"
    CHANGE_PHONE_NEW = "change_phone_new"
    STAFF_LOGIN = "staff_login"


class CodeState(enum.StrEnum):
    """``expired`` is never stored: an active code older than its validity reads as expired."""

    ACTIVE = "active"
    USED = "used"
    EXHAUSTED = "exhausted"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


CODE_TRANSITIONS: dict[tuple[CodeState, str], CodeState] = {
    (CodeState.ACTIVE, "accept"): CodeState.USED,
    (CodeState.ACTIVE, "reject"): CodeState.ACTIVE,
    (CodeState.ACTIVE, "exhaust"): CodeState.EXHAUSTED,
    (CodeState.ACTIVE, "supersede"): CodeState.SUPERSEDED,
}


class CodeRejected(InvalidInput):
    """A wrong code; the try is counted."""

    code = "sms_code.mismatch"


class CodeExhausted(CodeRejected):
    """The fifth wrong try: the code is dead, request a new one."""

    code = "sms_code.too_many_tries"


class CodeNotSent(InvalidInput):
    code = "sms_code.not_sent"


@attrs.frozen
class CodeSecret:
    """The pepper codes are hashed with (from ``ESTATE_SECRET_KEY``); never printed."""

    pepper: bytes = attrs.field(repr=False)

    @pepper.validator
    def _long_enough(self, attribute: attrs.Attribute[bytes], value: bytes) -> None:
        if len(value) < PEPPER_MIN_BYTES:
            raise ValueError(f"the code pepper needs at least {PEPPER_MIN_BYTES} bytes")

    def digest(self, code_id: UUID, phone: str, purpose: SmsPurpose, code: str) -> str:
        message = f"{code_id}|{phone}|{purpose.value}|{code}".encode()
        return hmac.new(self.pepper, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@attrs.define(slots=False, eq=False, kw_only=True)
class SmsCode(Aggregate):
    """One verification code sent to one phone for one purpose."""

    id: UUID
    tenant_id: UUID
    phone: str
    purpose: SmsPurpose
    digest: str = attrs.field(repr=False)
    sent_at: datetime
    expires_at: datetime
    state: CodeState = CodeState.ACTIVE
    wrong_tries: int = 0
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        phone: str,
        purpose: SmsPurpose,
        at: datetime,
        secret: CodeSecret,
    ) -> tuple[SmsCode, str]:
        """A new code and its plain digits, which only the SMS ever carries."""
        plain = new_code()
        code = cls(
            id=id,
            tenant_id=tenant_id,
            phone=phone,
            purpose=purpose,
            digest=secret.digest(id, phone, purpose, plain),
            sent_at=at,
            expires_at=at + CODE_VALIDITY,
        )
        return code, plain

    def state_at(self, at: datetime) -> CodeState:
        if self.state is CodeState.ACTIVE and at >= self.expires_at:
            return CodeState.EXPIRED
        return self.state

    def _move(self, action: str, at: datetime) -> None:
        current = self.state_at(at)
        following = CODE_TRANSITIONS.get((current, action))
        if following is None:
            raise InvalidTransition("sms_code", current.value, action)
        self.state = following

    def check(self, candidate: str, at: datetime, secret: CodeSecret) -> None:
        """Whether ``candidate`` is this code, without using it up.

        A wrong candidate is counted (the fifth kills the code) and raises; a used, dead,
        superseded or expired code raises ``sms_code.invalid_transition`` and changes nothing.
        """
        current = self.state_at(at)
        if (current, "accept") not in CODE_TRANSITIONS:
            raise InvalidTransition("sms_code", current.value, "verify")
        expected = secret.digest(self.id, self.phone, self.purpose, candidate.strip())
        if hmac.compare_digest(expected, self.digest):
            return
        self.wrong_tries += 1
        if self.wrong_tries >= MAX_WRONG_TRIES:
            self._move("exhaust", at)
            raise CodeExhausted("too many wrong codes; request a new one", tries_left=0)
        self._move("reject", at)
        raise CodeRejected("the code is wrong", tries_left=MAX_WRONG_TRIES - self.wrong_tries)

    def accept(self, at: datetime) -> None:
        """Use the code up; call only after :meth:`check` passed (see :func:`verify_together`)."""
        self._move("accept", at)
        self.used_at = at

    def supersede(self, at: datetime) -> None:
        self._move("supersede", at)


def verify_together(pairs: Sequence[tuple[SmsCode, str]], at: datetime, secret: CodeSecret) -> None:
    """Check every code, then use them all up, or none.

    Every wrong code counts its try, even when another code of the same command is the first
    to fail; the first failure is raised. The caller commits after a :class:`CodeRejected` so
    the counted tries survive the refusal.
    """
    failure: DomainError | None = None
    for code, candidate in pairs:
        try:
            code.check(candidate, at, secret)
        except DomainError as error:
            failure = failure or error
    if failure is not None:
        raise failure
    for code, _ in pairs:
        code.accept(at)


@attrs.frozen(kw_only=True)
class RateLimit:
    count: int
    window: timedelta
    code: str


PHONE_LIMITS = (
    RateLimit(count=1, window=timedelta(minutes=1), code="sms.too_soon"),
    RateLimit(count=5, window=timedelta(hours=1), code="sms.hourly_limit"),
    RateLimit(count=10, window=timedelta(days=1), code="sms.daily_limit"),
)
IP_LIMITS = (RateLimit(count=20, window=timedelta(hours=1), code="sms.ip_limit"),)


def phone_key(phone: str) -> str:
    return f"phone:{phone}"


def ip_key(ip: str) -> str:
    """The throttle key of a client address; IPv6 counts by /64 network."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        raise InvalidInput("sms.invalid_ip", "not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address
    return f"ip:{plain}"


@attrs.define(slots=False, eq=False, kw_only=True)
class SmsThrottle(Aggregate):
    """The recent sends to one phone or from one IP (``key``), pruned to the longest window."""

    id: UUID
    tenant_id: UUID
    key: str
    sends: list[datetime] = attrs.field(factory=list)

    def check(self, at: datetime, limits: Sequence[RateLimit]) -> None:
        """RateLimited (with ``retry_after`` seconds) if one more send now breaks a limit."""
        for limit in limits:
            recent = sorted(sent for sent in self.sends if at - sent < limit.window)
            if len(recent) >= limit.count:
                frees_at = recent[len(recent) - limit.count] + limit.window
                retry_after = math.ceil((frees_at - at).total_seconds())
                raise RateLimited(
                    limit.code,
                    "too many codes requested; try again later",
                    retry_after=retry_after,
                )

    def record_send(self, at: datetime, limits: Sequence[RateLimit]) -> None:
        longest = max(limit.window for limit in limits)
        self.sends = [sent for sent in self.sends if at - sent < longest] + [at]
