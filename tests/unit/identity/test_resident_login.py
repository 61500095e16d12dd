"""Resident login by SMS code: codes, their lifetime and the send limits (seed 004, §9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from identity_world import PHONE, World, wrong

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.identity import login_services as login
from estate_core.identity import services
from estate_core.identity.model import Resident
from estate_core.identity.sms import CodeSecret, SmsPurpose
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import (
    Conflict,
    InvalidInput,
    RateLimited,
)
from estate_core.shared.ids import new_id


def test_first_login_with_a_code_opens_a_verified_account(world: World) -> None:
    sent = world.request()
    resident_id = world.login(world.code())
    view = services.get_resident(world.uow, ResidentActor(resident_id=resident_id), resident_id)
    assert view.phone == PHONE
    assert view.verified
    assert sent.expires_at == world.clock.now() + timedelta(minutes=10)
    assert sent.resend_after == world.clock.now() + timedelta(minutes=1)


def test_login_verifies_the_account_an_owner_import_created(
    world: World, store: InMemoryStore
) -> None:
    with world.uow:
        world.uow.residents.add(
            Resident(
                id=new_id(),
                tenant_id=world.uow.tenant_id,
                phone=PHONE,
                created_at=world.clock.now(),
            )
        )
        world.uow.commit()
    world.request()
    resident_id = world.login(world.code())
    with world.uow:
        assert world.uow.residents.get(resident_id).is_verified
    assert "ResidentRegistered" not in [m.event_name for m in store.outbox]
    assert "ResidentVerified" in [m.event_name for m in store.outbox]


def test_a_code_is_six_digits_and_only_its_hash_is_stored(world: World) -> None:
    world.request()
    code = world.code()
    assert len(code) == 6
    assert code.isdigit()
    with world.uow:
        stored = world.uow.sms_codes.latest(PHONE, SmsPurpose.LOGIN)
    assert stored is not None
    assert code not in repr(stored)
    assert code not in stored.digest
    assert len(stored.digest) == 64


def test_a_code_logs_in_only_once(world: World) -> None:
    world.request()
    code = world.code()
    world.login(code)
    with pytest.raises(Conflict) as raised:
        world.login(code)
    assert raised.value.code == "sms_code.invalid_transition"
    assert raised.value.details["current"] == "used"


def test_a_wrong_code_is_refused_and_counted(world: World) -> None:
    world.request()
    with pytest.raises(InvalidInput) as raised:
        world.login(wrong(world.code()))
    assert raised.value.code == "sms_code.mismatch"
    assert raised.value.details["tries_left"] == 4


def test_the_fifth_wrong_code_kills_the_code(world: World) -> None:
    world.request()
    code = world.code()
    for _ in range(4):
        with pytest.raises(InvalidInput):
            world.login(wrong(code))
    with pytest.raises(InvalidInput) as fifth:
        world.login(wrong(code))
    assert fifth.value.code == "sms_code.too_many_tries"
    with pytest.raises(Conflict) as after:
        world.login(code)
    assert after.value.details["current"] == "exhausted"


def test_a_code_expires_after_ten_minutes(world: World) -> None:
    world.request()
    world.clock.advance(timedelta(minutes=10))
    with pytest.raises(Conflict) as raised:
        world.login(world.code())
    assert raised.value.details["current"] == "expired"


def test_a_code_still_works_just_before_ten_minutes(world: World) -> None:
    world.request()
    world.clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    assert world.login(world.code())


def test_a_new_code_supersedes_the_previous_one(world: World, store: InMemoryStore) -> None:
    world.request()
    world.clock.advance(timedelta(minutes=1))
    world.request()
    rows = sorted((row.value for row in store.table("sms_codes").values()), key=lambda c: c.sent_at)
    assert [code.state.value for code in rows] == ["superseded", "active"]
    assert world.login(world.code())


def test_login_without_any_code_sent_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        world.login("123456")
    assert raised.value.code == "sms_code.not_sent"


def test_a_code_sent_in_one_tenant_does_not_log_in_to_another(
    world: World, store: InMemoryStore, clock: FixedClock, secret: CodeSecret
) -> None:
    world.request()
    other = InMemoryUnitOfWork(store, new_id(), clock)
    with pytest.raises(InvalidInput) as raised:
        login.login_with_code(
            other, clock, secret, login.LoginWithCode(phone=PHONE, code=world.code())
        )
    assert raised.value.code == "sms_code.not_sent"


def test_a_second_code_within_a_minute_is_rate_limited(world: World) -> None:
    world.request()
    world.clock.advance(timedelta(seconds=45))
    with pytest.raises(RateLimited) as raised:
        world.request()
    assert raised.value.code == "sms.too_soon"
    assert raised.value.details["retry_after"] == 15
    assert len(world.sms.sent) == 1


def test_a_sixth_code_within_an_hour_is_rate_limited(world: World) -> None:
    for _ in range(5):
        world.request()
        world.clock.advance(timedelta(minutes=5))
    with pytest.raises(RateLimited) as raised:
        world.request()
    assert raised.value.code == "sms.hourly_limit"
    assert raised.value.details["retry_after"] == 35 * 60
    world.clock.advance(timedelta(minutes=35))
    world.request()


def test_an_eleventh_code_within_a_day_is_rate_limited(world: World) -> None:
    for _ in range(10):
        world.request()
        world.clock.advance(timedelta(hours=1))
    with pytest.raises(RateLimited) as raised:
        world.request()
    assert raised.value.code == "sms.daily_limit"
    assert len(world.sms.sent) == 10


def test_one_ip_gets_at_most_twenty_codes_an_hour(world: World) -> None:
    for n in range(20):
        world.request(phone=f"1380000{n:04d}")
    with pytest.raises(RateLimited) as raised:
        world.request(phone="13900009999")
    assert raised.value.code == "sms.ip_limit"
    world.request(phone="13900009999", ip="198.51.100.1")


def test_ipv6_clients_are_counted_by_their_64_network(world: World) -> None:
    for n in range(20):
        world.request(phone=f"1380000{n:04d}", ip=f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(RateLimited):
        world.request(phone="13900009999", ip="2001:db8:1:2:ffff::1")
    world.request(phone="13900009999", ip="2001:db8:1:3::1")


def test_a_malformed_ip_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        world.request(ip="not an ip")
    assert raised.value.code == "sms.invalid_ip"


def test_the_console_sender_logs_numbers_masked(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="estate.sms"):
        world.request()
    assert "138****0001" in caplog.text
    assert PHONE not in caplog.text
