"""The SMS code lifecycle: its transition table, and a stateful test of send / verify / time."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import login_services as login
from estate_core.identity.sms import (
    CODE_TRANSITIONS,
    IP_LIMITS,
    MAX_WRONG_TRIES,
    PHONE_LIMITS,
    CodeExhausted,
    CodeNotSent,
    CodeRejected,
    CodeSecret,
    CodeState,
    SmsCode,
    SmsPurpose,
)
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidTransition, RateLimited
from estate_core.shared.ids import new_id

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
SECRET = CodeSecret(b"state machine pepper............")


def _code_in(state: CodeState) -> tuple[SmsCode, str, datetime]:
    """A code in ``state``, its digits, and a time at which it reads as that state."""
    code, plain = SmsCode.issue(
        id=new_id(),
        tenant_id=new_id(),
        phone="13800000001",
        purpose=SmsPurpose.LOGIN,
        at=T0,
        secret=SECRET,
    )
    at = T0 + timedelta(minutes=1)
    if state is CodeState.EXPIRED:
        at = T0 + timedelta(minutes=10)
    elif state is not CodeState.ACTIVE:
        code.state = state
    return code, plain, at


def _attempt(code: SmsCode, action: str, plain: str, at: datetime) -> None:
    if action == "verify":
        code.check(plain, at, SECRET)
    else:
        getattr(code, action)(at)


@pytest.mark.parametrize("state", list(CodeState))
@pytest.mark.parametrize("action", ["accept", "supersede", "verify"])
def test_every_state_and_action_follows_the_transition_table(state: CodeState, action: str) -> None:
    code, plain, at = _code_in(state)
    allowed = (state, "accept" if action == "verify" else action) in CODE_TRANSITIONS
    before = attrs.asdict(code)
    if not allowed:
        with pytest.raises(InvalidTransition) as raised:
            _attempt(code, action, plain, at)
        assert raised.value.code == "sms_code.invalid_transition"
        assert attrs.asdict(code) == before
        return
    _attempt(code, action, plain, at)
    if action == "verify":
        assert attrs.asdict(code) == before
    else:
        assert code.state is CODE_TRANSITIONS[(state, action)]


def test_a_code_reads_as_expired_exactly_ten_minutes_after_sending() -> None:
    code, _, _ = _code_in(CodeState.ACTIVE)
    assert code.state_at(T0 + timedelta(minutes=10) - timedelta(microseconds=1)) is CodeState.ACTIVE
    assert code.state_at(T0 + timedelta(minutes=10)) is CodeState.EXPIRED


def test_wrong_tries_count_down_and_the_fifth_exhausts_the_code() -> None:
    code, plain, at = _code_in(CodeState.ACTIVE)
    wrong = f"{(int(plain) + 1) % 1_000_000:06d}"
    for tries_left in range(MAX_WRONG_TRIES - 1, 0, -1):
        with pytest.raises(CodeRejected) as raised:
            code.check(wrong, at, SECRET)
        assert raised.value.details["tries_left"] == tries_left
    with pytest.raises(CodeExhausted):
        code.check(wrong, at, SECRET)
    assert code.state is CodeState.EXHAUSTED


def test_the_pepper_must_be_long_and_never_shows_in_repr() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CodeSecret(b"short")
    assert "pepper" not in repr(SECRET).replace("CodeSecret", "")


def test_the_same_digits_hash_differently_per_code() -> None:
    first, _, _ = _code_in(CodeState.ACTIVE)
    digest = SECRET.digest(first.id, first.phone, first.purpose, "123456")
    assert digest != SECRET.digest(new_id(), first.phone, first.purpose, "123456")
    assert digest != CodeSecret(b"another pepper, 32 bytes long...").digest(
        first.id, first.phone, first.purpose, "123456"
    )


PHONES = [f"1380000000{n}" for n in range(6)]
IPS = ["203.0.113.1", "203.0.113.2"]
STEPS = [61, 1, 30, 59, 60, 300, 599, 600, 601, 3600, 6 * 3600, 86_400]


@attrs.define
class SentCode:
    digits: str
    sent_at: datetime
    wrong: int = 0
    used: bool = False

    def usable(self, now: datetime) -> bool:
        return (
            not self.used
            and self.wrong < MAX_WRONG_TRIES
            and now < self.sent_at + timedelta(minutes=10)
        )


class SmsCodeMachine(RuleBasedStateMachine):
    """Drives request_login_code / login_with_code against a model of the rules.

    The model predicts every outcome exactly: which send is refused and by which limit, which
    verification passes. Invariants: no code is accepted twice, none after expiry or after the
    fifth wrong try, and the SMS actually sent never break a limit.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(T0)
        self.store = InMemoryStore()
        self.uow = InMemoryUnitOfWork(self.store, new_id(), self.clock)
        self.sms = ConsoleSmsSender()
        self.latest: dict[str, SentCode] = {}
        self.accepted: set[UUID] = set()
        self.sent_log: list[tuple[str, str, datetime]] = []

    def _refusal(self, phone: str, ip: str, now: datetime) -> str | None:
        by_phone = [at for p, _, at in self.sent_log if p == phone]
        by_ip = [at for _, i, at in self.sent_log if i == ip]
        for limits, sends in ((PHONE_LIMITS, by_phone), (IP_LIMITS, by_ip)):
            for limit in limits:
                if sum(1 for at in sends if now - at < limit.window) >= limit.count:
                    return limit.code
        return None

    def _send(self, phone: str, ip: str) -> None:
        now = self.clock.now()
        expected = self._refusal(phone, ip, now)
        cmd = login.RequestLoginCode(phone=phone, ip=ip)
        if expected is not None:
            with pytest.raises(RateLimited) as refused:
                login.request_login_code(self.uow, self.clock, self.sms, SECRET, cmd)
            assert refused.value.code == expected
            assert refused.value.details["retry_after"] > 0
            return
        login.request_login_code(self.uow, self.clock, self.sms, SECRET, cmd)
        self.sent_log.append((phone, ip, now))
        digits = self.sms.last_code(phone)
        assert digits is not None
        self.latest[phone] = SentCode(digits=digits, sent_at=now)

    @rule(phone=st.sampled_from(PHONES), ip=st.sampled_from(IPS))
    def send(self, phone: str, ip: str) -> None:
        self._send(phone, ip)

    @rule(
        phone=st.sampled_from(PHONES),
        ip=st.sampled_from(IPS),
        times=st.integers(1, 11),
        gap=st.sampled_from([61, 721, 3601]),
    )
    def send_repeatedly(self, phone: str, ip: str, times: int, gap: int) -> None:
        """A client asking again and again, so the hourly and daily limits are reached."""
        for _ in range(times):
            self._send(phone, ip)
            self.clock.advance(timedelta(seconds=gap))

    @rule(ip=st.sampled_from(IPS))
    def send_to_every_phone(self, ip: str) -> None:
        """A burst from one address, so the per-IP limit is reached in few steps."""
        for phone in PHONES:
            self._send(phone, ip)

    def _login(self, phone: str, digits: str) -> None:
        login.login_with_code(
            self.uow, self.clock, SECRET, login.LoginWithCode(phone=phone, code=digits)
        )

    @rule(phone=st.sampled_from(PHONES))
    def verify_right(self, phone: str) -> None:
        sent = self.latest.get(phone)
        if sent is None:
            with pytest.raises(CodeNotSent):
                self._login(phone, "000000")
            return
        now = self.clock.now()
        if sent.usable(now):
            self._login(phone, sent.digits)
            with self.uow:
                used = self.uow.sms_codes.latest(phone, SmsPurpose.LOGIN)
            assert used is not None
            assert used.state is CodeState.USED
            assert used.id not in self.accepted
            self.accepted.add(used.id)
            sent.used = True
        else:
            with pytest.raises(InvalidTransition):
                self._login(phone, sent.digits)

    @rule(phone=st.sampled_from(PHONES), offset=st.integers(1, 999_999))
    def verify_wrong(self, phone: str, offset: int) -> None:
        self._verify_wrong(phone, offset)

    @rule(phone=st.sampled_from(PHONES), times=st.integers(2, 6))
    def guess_repeatedly(self, phone: str, times: int) -> None:
        """A guesser trying code after code, so the fifth wrong try is reached."""
        for offset in range(1, times + 1):
            self._verify_wrong(phone, offset)

    def _verify_wrong(self, phone: str, offset: int) -> None:
        sent = self.latest.get(phone)
        if sent is None:
            return
        wrong = f"{(int(sent.digits) + offset) % 1_000_000:06d}"
        if sent.usable(self.clock.now()):
            with pytest.raises(CodeRejected) as raised:
                self._login(phone, wrong)
            sent.wrong += 1
            assert isinstance(raised.value, CodeExhausted) == (sent.wrong == MAX_WRONG_TRIES)
        else:
            with pytest.raises(InvalidTransition):
                self._login(phone, wrong)

    @rule(seconds=st.sampled_from(STEPS))
    def advance_time(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    @invariant()
    def no_stored_code_was_used_late_twice_or_after_five_wrong_tries(self) -> None:
        codes = [row.value for row in self.store.table("sms_codes").values()]
        used = [code for code in codes if code.state is CodeState.USED]
        assert {code.id for code in used} == self.accepted
        for code in used:
            assert code.used_at is not None
            assert code.used_at < code.expires_at
            assert code.wrong_tries < MAX_WRONG_TRIES
        for code in codes:
            assert code.wrong_tries <= MAX_WRONG_TRIES
            assert (code.wrong_tries == MAX_WRONG_TRIES) == (code.state is CodeState.EXHAUSTED)

    @invariant()
    def every_sms_sent_is_one_the_limits_allowed(self) -> None:
        assert [m.phone for m in self.sms.sent] == [phone for phone, _, _ in self.sent_log]
        windows: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for phone, ip, at in self.sent_log:
            windows[("phone", phone)].append(at)
            windows[("ip", ip)].append(at)
        for (kind, _), times in windows.items():
            limits = PHONE_LIMITS if kind == "phone" else IP_LIMITS
            for at in times:
                for limit in limits:
                    in_window = [t for t in times if timedelta(0) <= at - t < limit.window]
                    assert len(in_window) <= limit.count


SmsCodeMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
TestSmsCodeLifecycle = SmsCodeMachine.TestCase
