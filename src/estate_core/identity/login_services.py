"""Use cases of logging in with SMS codes and of changing a resident's phone (seed 004).

The codes are sent and checked by :mod:`estate_core.identity.verification`.
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.identity.model import Resident, normalize_phone
from estate_core.identity.ports import IdentityUnitOfWork, SmsSender
from estate_core.identity.sms import CodeSecret, SmsPurpose
from estate_core.identity.staff import StaffAccountDisabled
from estate_core.identity.verification import CodeSent, send_codes, use_codes
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class RequestLoginCode:
    phone: str
    ip: str


def request_login_code(
    uow: IdentityUnitOfWork, clock: Clock, sms: SmsSender, secret: CodeSecret, cmd: RequestLoginCode
) -> CodeSent:
    """Send a login code. Registration is open, so any valid mobile number gets one, except a
    disabled (blacklisted) account's: it could not log in, and the SMS would be wasted."""
    phone = normalize_phone(cmd.phone)
    with uow:
        resident = uow.residents.find_by_phone(phone)
        if resident is not None:
            resident.require_active()
        return send_codes(uow, clock, sms, secret, [(phone, SmsPurpose.LOGIN)], cmd.ip)


@attrs.frozen(kw_only=True)
class LoginWithCode:
    phone: str
    code: str
    wechat_openid: str | None = None
    alipay_user_id: str | None = None


def _link_accounts(
    uow: IdentityUnitOfWork, resident: Resident, openid: str | None, alipay_user_id: str | None
) -> None:
    """Link the WeChat / Alipay account the person logged in through (seed 004: 绑定微信)."""
    if openid is not None:
        other = uow.residents.find_by_wechat_openid(openid.strip())
        if other is not None and other.id != resident.id:
            raise Conflict("resident.wechat_taken", "this WeChat account is linked to another")
        resident.link_wechat(openid)
    if alipay_user_id is not None:
        other = uow.residents.find_by_alipay_user_id(alipay_user_id.strip())
        if other is not None and other.id != resident.id:
            raise Conflict("resident.alipay_taken", "this Alipay account is linked to another")
        resident.link_alipay(alipay_user_id)


def login_with_code(
    uow: IdentityUnitOfWork, clock: Clock, secret: CodeSecret, cmd: LoginWithCode
) -> UUID:
    """Log a resident in with the code sent to their phone; returns the resident's id.

    The first login opens the account (open registration with a blacklist, seed 001) or
    verifies one staff or an owner created; a disabled account cannot log in.
    """
    phone = normalize_phone(cmd.phone)
    with uow:
        use_codes(uow, clock, secret, [(phone, SmsPurpose.LOGIN, cmd.code)])
        resident = _open_or_verify(uow, clock, phone)
        _link_accounts(uow, resident, cmd.wechat_openid, cmd.alipay_user_id)
        uow.commit()
        return resident.id


def _open_or_verify(uow: IdentityUnitOfWork, clock: Clock, phone: str) -> Resident:
    now = clock.now()
    resident = uow.residents.find_by_phone(phone)
    if resident is None:
        resident = Resident.register(id=new_id(), tenant_id=uow.tenant_id, phone=phone, at=now)
        uow.residents.add(resident)
    resident.require_active()
    resident.verify_phone(now)
    return resident


@attrs.frozen(kw_only=True)
class RequestCode:
    """A code for a login that does not know its tenant yet (a shared official account)."""

    phone: str
    purpose: SmsPurpose
    ip: str


def request_code(
    uow: IdentityUnitOfWork, clock: Clock, sms: SmsSender, secret: CodeSecret, cmd: RequestCode
) -> CodeSent:
    """Send a code kept in ``uow``'s scope (the platform's, for a shared official account):
    with the same limits as every other code."""
    phone = normalize_phone(cmd.phone)
    with uow:
        return send_codes(uow, clock, sms, secret, [(phone, cmd.purpose)], cmd.ip)


@attrs.frozen(kw_only=True)
class CheckCode:
    phone: str
    purpose: SmsPurpose
    code: str


def check_code(uow: IdentityUnitOfWork, clock: Clock, secret: CodeSecret, cmd: CheckCode) -> str:
    """Use up the code of :func:`request_code`; returns the proved phone number."""
    phone = normalize_phone(cmd.phone)
    with uow:
        use_codes(uow, clock, secret, [(phone, cmd.purpose, cmd.code)])
        uow.commit()
        return phone


def login_proved_phone(uow: IdentityUnitOfWork, clock: Clock, phone: str) -> UUID:
    """Log a resident of ``uow``'s tenant in by a phone :func:`check_code` just proved: the
    same opening and verifying as :func:`login_with_code`, for the tenant the person picked."""
    with uow:
        resident = _open_or_verify(uow, clock, normalize_phone(phone))
        uow.commit()
        return resident.id


def staff_for_proved_phone(uow: IdentityUnitOfWork, phone: str) -> UUID:
    """The enabled staff account of a proved phone in ``uow``'s tenant."""
    with uow:
        staff = uow.staff.find_by_phone(normalize_phone(phone))
        if staff is None:
            raise NotFound("staff.not_found", "no staff account has this number")
        if staff.disabled:
            raise StaffAccountDisabled("this staff account is disabled")
        return staff.id


@attrs.frozen(kw_only=True)
class LoginWithLinkedAccount:
    """A returning visitor known by the openid / user id from WeChat or Alipay OAuth."""

    wechat_openid: str | None = None
    alipay_user_id: str | None = None


def login_with_linked_account(uow: IdentityUnitOfWork, cmd: LoginWithLinkedAccount) -> UUID:
    """The resident linked to this WeChat / Alipay account, or ``resident.not_linked`` (the
    client then asks for the phone and a code)."""
    if (cmd.wechat_openid is None) == (cmd.alipay_user_id is None):
        raise InvalidInput("login.one_account", "give exactly one of openid or Alipay user id")
    with uow:
        if cmd.wechat_openid is not None:
            resident = uow.residents.find_by_wechat_openid(cmd.wechat_openid.strip())
        else:
            resident = uow.residents.find_by_alipay_user_id(str(cmd.alipay_user_id).strip())
        if resident is None:
            raise NotFound("resident.not_linked", "no account is linked; log in with a code")
        resident.require_active()
        return resident.id


@attrs.frozen(kw_only=True)
class RequestPhoneChangeCodes:
    new_phone: str
    ip: str


def request_phone_change_codes(
    uow: IdentityUnitOfWork,
    clock: Clock,
    sms: SmsSender,
    secret: CodeSecret,
    actor: ResidentActor,
    cmd: RequestPhoneChangeCodes,
) -> CodeSent:
    """Send one code to the current number and one to the new number (seed 004: 修改需通过
    旧手机号短信验证，新手机号短信验证). A number another resident holds is refused first."""
    new_phone = normalize_phone(cmd.new_phone)
    with uow:
        resident = uow.residents.get(actor.resident_id)
        resident.require_active()
        _require_phone_free(uow, resident, new_phone)
        targets = [
            (resident.phone, SmsPurpose.CHANGE_PHONE_OLD),
            (new_phone, SmsPurpose.CHANGE_PHONE_NEW),
        ]
        return send_codes(uow, clock, sms, secret, targets, cmd.ip)


def _require_phone_free(uow: IdentityUnitOfWork, resident: Resident, new_phone: str) -> None:
    if new_phone == resident.phone:
        raise InvalidInput("resident.same_phone", "that is already your phone number")
    other = uow.residents.find_by_phone(new_phone)
    if other is not None and other.id != resident.id:
        raise Conflict("resident.phone_taken", "another account uses this number")


@attrs.frozen(kw_only=True)
class ChangePhone:
    new_phone: str
    old_code: str
    new_code: str


def change_phone(
    uow: IdentityUnitOfWork,
    clock: Clock,
    secret: CodeSecret,
    actor: ResidentActor,
    cmd: ChangePhone,
) -> None:
    """Move the account to the new number once both codes are right, both used up together."""
    new_phone = normalize_phone(cmd.new_phone)
    with uow:
        resident = uow.residents.get(actor.resident_id)
        resident.require_active()
        _require_phone_free(uow, resident, new_phone)
        use_codes(
            uow,
            clock,
            secret,
            [
                (resident.phone, SmsPurpose.CHANGE_PHONE_OLD, cmd.old_code),
                (new_phone, SmsPurpose.CHANGE_PHONE_NEW, cmd.new_code),
            ],
        )
        resident.change_phone(new_phone, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class RequestStaffLoginCode:
    phone: str
    ip: str


def request_staff_login_code(
    uow: IdentityUnitOfWork,
    clock: Clock,
    sms: SmsSender,
    secret: CodeSecret,
    cmd: RequestStaffLoginCode,
) -> CodeSent:
    """Send a staff console login code; only to an enabled staff account's number."""
    phone = normalize_phone(cmd.phone)
    with uow:
        staff = uow.staff.find_by_phone(phone)
        if staff is None:
            raise NotFound("staff.not_found", "no staff account has this number")
        if staff.disabled:
            raise StaffAccountDisabled("this staff account is disabled")
        return send_codes(uow, clock, sms, secret, [(phone, SmsPurpose.STAFF_LOGIN)], cmd.ip)


@attrs.frozen(kw_only=True)
class LoginStaffWithCode:
    phone: str
    code: str


def login_staff_with_code(
    uow: IdentityUnitOfWork, clock: Clock, secret: CodeSecret, cmd: LoginStaffWithCode
) -> UUID:
    """Log a staff member in; the entrypoint then builds their actor with ``staff_actor``."""
    phone = normalize_phone(cmd.phone)
    with uow:
        use_codes(uow, clock, secret, [(phone, SmsPurpose.STAFF_LOGIN, cmd.code)])
        staff = uow.staff.find_by_phone(phone)
        if staff is None:
            raise NotFound("staff.not_found", "no staff account has this number")
        if staff.disabled:
            raise StaffAccountDisabled("this staff account is disabled")
        uow.commit()
        return staff.id
