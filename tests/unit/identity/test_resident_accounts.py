"""Resident accounts: blacklist, linked WeChat / Alipay accounts, phone change, name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from identity_world import IP, NEW_PHONE, PHONE, World, wrong

from estate_core.identity import login_services as login
from estate_core.identity import services
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.access import ResidentActor, StaffActor
from estate_core.shared.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from estate_core.shared.ids import new_id


def test_a_disabled_resident_gets_no_code(world: World, company_admin: StaffActor) -> None:
    resident = world.logged_in()
    services.disable_resident(
        world.uow,
        company_admin,
        services.DisableResident(resident_id=resident.resident_id, reason="spam"),
    )
    with pytest.raises(PermissionDenied) as refused:
        world.request()
    assert refused.value.code == "resident.disabled"
    assert len(world.sms.sent) == 1


def test_a_disabled_resident_cannot_use_a_code_sent_before(
    world: World, company_admin: StaffActor
) -> None:
    resident = world.logged_in()
    world.request()
    services.disable_resident(
        world.uow,
        company_admin,
        services.DisableResident(resident_id=resident.resident_id, reason="spam"),
    )
    with pytest.raises(PermissionDenied) as raised:
        world.login(world.code())
    assert raised.value.code == "resident.disabled"


def test_staff_can_enable_a_disabled_resident_again(
    world: World, company_admin: StaffActor
) -> None:
    resident = world.logged_in()
    cmd = services.DisableResident(resident_id=resident.resident_id, reason="误封")
    services.disable_resident(world.uow, company_admin, cmd)
    with pytest.raises(Conflict) as twice:
        services.disable_resident(world.uow, company_admin, cmd)
    assert twice.value.code == "resident.invalid_transition"
    services.enable_resident(
        world.uow, company_admin, services.EnableResident(resident_id=resident.resident_id)
    )
    world.request()
    assert world.login(world.code()) == resident.resident_id


def test_disabling_a_resident_needs_resident_manage_over_every_community(
    world: World, company_admin: StaffActor
) -> None:
    resident = world.logged_in()
    cmd = services.DisableResident(resident_id=resident.resident_id, reason="spam")
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=company_admin.permissions,
        community_ids=frozenset({new_id()}),
    )
    with pytest.raises(PermissionDenied):
        services.disable_resident(world.uow, scoped, cmd)
    with pytest.raises(PermissionDenied):
        services.disable_resident(world.uow, resident, cmd)


def test_the_first_login_links_wechat_and_later_visits_log_in_by_openid(world: World) -> None:
    resident = world.logged_in(wechat_openid="o-wechat-1")
    again = login.login_with_linked_account(
        world.uow, login.LoginWithLinkedAccount(wechat_openid="o-wechat-1")
    )
    assert again == resident.resident_id


def test_an_openid_linked_to_another_resident_is_refused(world: World) -> None:
    world.logged_in(wechat_openid="o-wechat-1")
    world.request(NEW_PHONE)
    with pytest.raises(Conflict) as raised:
        world.login(world.code(NEW_PHONE), NEW_PHONE, wechat_openid="o-wechat-1")
    assert raised.value.code == "resident.wechat_taken"


def test_an_alipay_user_id_is_linked_on_login(world: World) -> None:
    resident = world.logged_in(alipay_user_id="2088000000000001")
    again = login.login_with_linked_account(
        world.uow, login.LoginWithLinkedAccount(alipay_user_id="2088000000000001")
    )
    assert again == resident.resident_id


def test_an_unlinked_openid_must_log_in_with_a_code(world: World) -> None:
    with pytest.raises(NotFound) as raised:
        login.login_with_linked_account(
            world.uow, login.LoginWithLinkedAccount(wechat_openid="o-x")
        )
    assert raised.value.code == "resident.not_linked"


def test_a_disabled_resident_cannot_log_in_by_openid(
    world: World, company_admin: StaffActor
) -> None:
    resident = world.logged_in(wechat_openid="o-1")
    services.disable_resident(
        world.uow,
        company_admin,
        services.DisableResident(resident_id=resident.resident_id, reason="x"),
    )
    with pytest.raises(PermissionDenied):
        login.login_with_linked_account(
            world.uow, login.LoginWithLinkedAccount(wechat_openid="o-1")
        )


def _request_change(world: World, actor: ResidentActor, new_phone: str = NEW_PHONE) -> None:
    login.request_phone_change_codes(
        world.uow,
        world.clock,
        world.sms,
        world.secret,
        actor,
        login.RequestPhoneChangeCodes(new_phone=new_phone, ip=IP),
    )


def _change(world: World, actor: ResidentActor, old_code: str, new_code: str) -> None:
    login.change_phone(
        world.uow,
        world.clock,
        world.secret,
        actor,
        login.ChangePhone(new_phone=NEW_PHONE, old_code=old_code, new_code=new_code),
    )


def test_changing_phone_needs_the_codes_sent_to_both_numbers(world: World) -> None:
    actor = world.logged_in()
    _request_change(world, actor)
    old = world.code(PHONE, SmsPurpose.CHANGE_PHONE_OLD)
    new = world.code(NEW_PHONE, SmsPurpose.CHANGE_PHONE_NEW)
    _change(world, actor, old, new)
    view = services.get_resident(world.uow, actor, actor.resident_id)
    assert view.phone == NEW_PHONE
    assert view.verified
    world.clock.advance(timedelta(minutes=1))
    world.request(NEW_PHONE)
    assert world.login(world.code(NEW_PHONE), NEW_PHONE) == actor.resident_id


@pytest.mark.parametrize("which", ["wrong", "the new number's code"])
def test_a_phone_change_needs_the_code_sent_to_the_old_number(world: World, which: str) -> None:
    """Whoever holds only the new number cannot move the account to it."""
    actor = world.logged_in()
    _request_change(world, actor)
    old = world.code(PHONE, SmsPurpose.CHANGE_PHONE_OLD)
    new = world.code(NEW_PHONE, SmsPurpose.CHANGE_PHONE_NEW)
    claimed = wrong(old) if which == "wrong" else new
    with pytest.raises(InvalidInput) as raised:
        _change(world, actor, claimed, new)
    assert raised.value.code == "sms_code.mismatch"
    assert services.get_resident(world.uow, actor, actor.resident_id).phone == PHONE
    _change(world, actor, old, new)
    assert services.get_resident(world.uow, actor, actor.resident_id).phone == NEW_PHONE


def test_a_phone_change_with_one_wrong_code_uses_up_neither(world: World) -> None:
    actor = world.logged_in()
    _request_change(world, actor)
    old = world.code(PHONE, SmsPurpose.CHANGE_PHONE_OLD)
    new = world.code(NEW_PHONE, SmsPurpose.CHANGE_PHONE_NEW)
    with pytest.raises(InvalidInput) as raised:
        _change(world, actor, old, wrong(new))
    assert raised.value.code == "sms_code.mismatch"
    _change(world, actor, old, new)
    assert services.get_resident(world.uow, actor, actor.resident_id).phone == NEW_PHONE


def test_a_login_code_cannot_change_the_phone(world: World) -> None:
    actor = world.logged_in()
    world.request(NEW_PHONE)
    with pytest.raises(InvalidInput) as raised:
        _change(world, actor, "000000", world.code(NEW_PHONE))
    assert raised.value.code == "sms_code.not_sent"


def test_a_number_another_resident_holds_is_refused_before_any_sms(world: World) -> None:
    actor = world.logged_in()
    world.logged_in(NEW_PHONE)
    sent_before = len(world.sms.sent)
    with pytest.raises(Conflict) as raised:
        _request_change(world, actor)
    assert raised.value.code == "resident.phone_taken"
    assert len(world.sms.sent) == sent_before


def test_a_resident_renames_themselves_and_staff_may_correct_it(
    world: World, company_admin: StaffActor
) -> None:
    actor = world.logged_in()
    services.rename_resident(
        world.uow, actor, services.RenameResident(resident_id=actor.resident_id, name=" 张三 ")
    )
    assert services.get_resident(world.uow, actor, actor.resident_id).name == "张三"
    services.rename_resident(
        world.uow,
        company_admin,
        services.RenameResident(resident_id=actor.resident_id, name="张叁"),
    )
    assert services.get_resident(world.uow, actor, actor.resident_id).name == "张叁"


def test_a_resident_cannot_rename_or_read_another(world: World) -> None:
    first = world.logged_in()
    second = world.logged_in(NEW_PHONE)
    with pytest.raises(PermissionDenied):
        services.rename_resident(
            world.uow, second, services.RenameResident(resident_id=first.resident_id, name="x")
        )
    with pytest.raises(PermissionDenied):
        services.get_resident(world.uow, second, first.resident_id)
