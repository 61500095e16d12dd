"""Concurrent SMS sends for one phone, with real threads on one real database.

The limit is 1 send a minute per phone. Whoever commits the phone's throttle first sends; the
others are refused: on PostgreSQL by the unique key (tenant, key hash) when the throttle row is
new, or by its optimistic version when it exists; on SQLite they queue and then see the limit.
Refused requests send nothing: the code is committed before the SMS goes out.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from identity_samples import SECRET
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
)
from adapters.persistence.sqlalchemy.repositories.identity import SqlSmsThrottleRepository
from adapters.persistence.sqlalchemy.tables.identity import sms_codes
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import login_services as login
from estate_core.identity.sms import SmsPurpose, SmsThrottle
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError

PHONE = "13800000001"
REQUESTS = 10


class _RaceAfterLoad(SqlAlchemyUnitOfWork):
    """A unit of work whose requests, once they have read the phone's throttle, wait for each
    other: every request then decides on the same state, the widest race there is."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        tenant_id: UUID,
        clock: FixedClock,
        after_load: threading.Barrier,
    ) -> None:
        super().__init__(sessions, tenant_id, clock)
        self._after_load = after_load

    def _open(self, session: Session) -> None:
        super()._open(session)
        throttles = _ThrottlesWaitingAfterLoad(session, self.tenant_id, self._seen)
        throttles.after_load = self._after_load
        self.sms_throttles = throttles


class _ThrottlesWaitingAfterLoad(SqlSmsThrottleRepository):
    after_load: threading.Barrier

    def find_by_key(self, key: str) -> SmsThrottle | None:
        found = super().find_by_key(key)
        if key.startswith("phone:"):
            self.after_load.wait(timeout=30)
        return found


def _send_all(
    sessions: sessionmaker[Session],
    tenant_id: UUID,
    clock: FixedClock,
    sms: ConsoleSmsSender,
    race: bool,
) -> Counter[str]:
    """``REQUESTS`` login code requests for one phone at once, each from its own address."""
    start, after_load = threading.Barrier(REQUESTS), threading.Barrier(REQUESTS)

    def request(i: int) -> str:
        if race:
            uow: SqlAlchemyUnitOfWork = _RaceAfterLoad(sessions, tenant_id, clock, after_load)
        else:
            uow = SqlAlchemyUnitOfWork(sessions, tenant_id, clock)
        command = login.RequestLoginCode(phone=PHONE, ip=f"198.51.100.{i}")
        start.wait(timeout=30)
        try:
            login.request_login_code(uow, clock, sms, SECRET, command)
        except DomainError as refused:
            return refused.code
        return "sent"

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        return Counter(pool.map(request, range(REQUESTS)))


def _codes_stored(engine: Engine) -> int:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(sms_codes)) or 0)


def _one_code_sent(sms: ConsoleSmsSender) -> bool:
    return [(m.phone, m.purpose) for m in sms.sent] == [(PHONE, SmsPurpose.LOGIN)]


def test_concurrent_first_sends_to_one_phone_on_postgresql_send_one_code(
    postgresql_database: URL, mapped: None, tenant_id: UUID, clock: FixedClock
) -> None:
    engine = make_engine(postgresql_database, pool_size=REQUESTS)
    sms = ConsoleSmsSender()
    try:
        outcomes = _send_all(make_session_factory(engine), tenant_id, clock, sms, race=True)
        assert outcomes == {"sent": 1, "sms_throttles.duplicate": REQUESTS - 1}
        assert _one_code_sent(sms)
        assert _codes_stored(engine) == 1
    finally:
        engine.dispose()


def test_concurrent_repeat_sends_to_one_phone_on_postgresql_send_one_code(
    postgresql_database: URL, mapped: None, tenant_id: UUID, clock: FixedClock
) -> None:
    engine = make_engine(postgresql_database, pool_size=REQUESTS)
    sessions = make_session_factory(engine)
    try:
        earlier = login.RequestLoginCode(phone=PHONE, ip="203.0.113.7")
        uow = SqlAlchemyUnitOfWork(sessions, tenant_id, clock)
        login.request_login_code(uow, clock, ConsoleSmsSender(), SECRET, earlier)
        clock.advance(timedelta(minutes=5))
        sms = ConsoleSmsSender()
        outcomes = _send_all(sessions, tenant_id, clock, sms, race=True)
        assert outcomes == {"sent": 1, "concurrency.conflict": REQUESTS - 1}
        assert _one_code_sent(sms)
        assert _codes_stored(engine) == 2
    finally:
        engine.dispose()


def test_concurrent_sends_to_one_phone_on_sqlite_queue_and_send_one_code(
    sqlite_database: URL, mapped: None, tenant_id: UUID, clock: FixedClock
) -> None:
    engine = make_engine(sqlite_database)
    sms = ConsoleSmsSender()
    try:
        outcomes = _send_all(make_session_factory(engine), tenant_id, clock, sms, race=False)
        assert outcomes == {"sent": 1, "sms.too_soon": REQUESTS - 1}
        assert _one_code_sent(sms)
        assert _codes_stored(engine) == 1
    finally:
        engine.dispose()
