"""Sending and checking SMS codes inside a use case's unit of work (DESIGN.md §9).

Sending commits the code (hashed) and the send counters first and sends the SMS after, so a
message never carries a code the database does not hold. Checking commits the counted wrong
tries before refusing, so a refusal cannot be retried for free; a right code is used up in the
same transaction as the login or phone change it allows, so two requests racing with one code
cannot both pass (the second one's commit conflicts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from estate_core.identity.ports import IdentityUnitOfWork, SmsSender
from estate_core.identity.sms import (
    CODE_VALIDITY,
    IP_LIMITS,
    PHONE_LIMITS,
    CodeNotSent,
    CodeRejected,
    CodeSecret,
    CodeState,
    SmsCode,
    SmsPurpose,
    SmsThrottle,
    ip_key,
    phone_key,
    verify_together,
)
from estate_core.shared.clock import Clock
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class CodeSent:
    """When the code stops working, and when the client may ask for another."""

    expires_at: datetime
    resend_after: datetime


def _throttle(uow: IdentityUnitOfWork, key: str) -> SmsThrottle:
    throttle = uow.sms_throttles.find_by_key(key)
    if throttle is None:
        throttle = SmsThrottle(id=new_id(), tenant_id=uow.tenant_id, key=key)
        uow.sms_throttles.add(throttle)
    return throttle


def send_codes(
    uow: IdentityUnitOfWork,
    clock: Clock,
    sms: SmsSender,
    secret: CodeSecret,
    targets: Sequence[tuple[str, SmsPurpose]],
    ip: str,
) -> CodeSent:
    """Inside the caller's ``with uow``: count every SMS against its phone and the IP (all or
    nothing), supersede the previous codes, store the new ones, commit, then send."""
    now = clock.now()
    by_ip = _throttle(uow, ip_key(ip))
    for phone, _ in targets:
        by_phone = _throttle(uow, phone_key(phone))
        by_phone.check(now, PHONE_LIMITS)
        by_ip.check(now, IP_LIMITS)
        by_phone.record_send(now, PHONE_LIMITS)
        by_ip.record_send(now, IP_LIMITS)
    outgoing = []
    for phone, purpose in targets:
        previous = uow.sms_codes.latest(phone, purpose)
        if previous is not None and previous.state_at(now) is CodeState.ACTIVE:
            previous.supersede(now)
        code, plain = SmsCode.issue(
            id=new_id(),
            tenant_id=uow.tenant_id,
            phone=phone,
            purpose=purpose,
            at=now,
            secret=secret,
        )
        uow.sms_codes.add(code)
        outgoing.append((phone, purpose, plain))
    uow.commit()
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    for phone, purpose, plain in outgoing:
        sms.send_code(
            tenant_id=uow.tenant_id, phone=phone, code=plain, purpose=purpose, valid_minutes=minutes
        )
    return CodeSent(expires_at=now + CODE_VALIDITY, resend_after=now + PHONE_LIMITS[0].window)


def use_codes(
    uow: IdentityUnitOfWork,
    clock: Clock,
    secret: CodeSecret,
    claims: Sequence[tuple[str, SmsPurpose, str]],
) -> None:
    """Inside the caller's ``with uow``, before any other change: use up the latest code of
    each (phone, purpose) if every candidate is right; else commit the counted tries and raise.
    """
    pairs = []
    for phone, purpose, candidate in claims:
        code = uow.sms_codes.latest(phone, purpose)
        if code is None:
            raise CodeNotSent("no code was sent to this number; request one")
        pairs.append((code, candidate))
    try:
        verify_together(pairs, clock.now(), secret)
    except CodeRejected:
        uow.commit()
        raise
