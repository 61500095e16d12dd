"""Each scheduled job does its work, and nothing more when its slot runs a second time (a worker
that crashed after the work but before the done mark), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from billing_samples import World
from commerce_samples import a_campaign, a_merchant, claim
from identity_samples import an_sms_code
from service_samples import Home, completed, replied, report, submit
from sqlalchemy.engine import URL
from worker_samples import a_worker

from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from adapters.persistence.sqlalchemy.tables.identity import sms_codes
from adapters.persistence.sqlalchemy.tables.worker import inbox_messages
from entrypoints.worker.compose import Worker
from entrypoints.worker.runner import JobContext
from estate_core.community.notice import NoticeKind
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    create_notice,
    publish_notice,
)
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import QueueKind
from estate_core.shared.pagination import PageRequest

OPENED = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 2, 1, 2, 0, tzinfo=UTC)
"""When every job has something due: orders, complaints, coupons, payments and codes from
OPENED are past their windows, January's bill is overdue."""


@pytest.fixture(autouse=True)
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    yield
    configure_personal_data(personal_data_key)


@attrs.define
class Setting:
    worker: Worker
    world: World
    clock: FixedClock
    console: Any
    home_id: Any
    owner_id: Any

    @property
    def tenant_id(self) -> Any:
        return self.world.uow.tenant_id

    def home(self) -> Home:
        return Home(self.tenant_id, self.world.community_id, self.home_id, self.owner_id)

    def uow(self) -> Any:
        return self.worker.estate.uow(self.tenant_id)

    def run_twice(self, name: str, observe: Callable[[], Any], **payload: Any) -> list[Any]:
        """Run the job's slot, observe, run the very same slot again, observe again."""
        body = {"community_id": str(self.world.community_id), **payload}
        body.setdefault("local_date", self.clock.now().date().isoformat())
        slot = str(body["local_date"])
        assert self.worker.queue.schedule(self.tenant_id, name, slot, body, self.clock.now())
        (item,) = self.worker.queue.claim(QueueKind.JOB, self.clock.now(), 10)
        handler = self.worker.runner.jobs[name]
        seen = []
        for _ in range(2):
            finish = handler(JobContext(item=item, estate=self.worker.estate, now=self.clock.now()))
            if finish is not None:
                with self.worker.queue.engine.begin() as connection:
                    finish(connection)
            seen.append(observe())
        return seen


@pytest.fixture
def setting(database: URL, mapped: None, tmp_path: Path) -> Setting:
    clock = FixedClock(OPENED)
    worker, console = a_worker(database, tmp_path, clock)
    world = World.open(worker.estate.uow(new_id()), clock)
    home_id = world.home()
    owner = world.owner_of(home_id)
    world.fee()
    return Setting(worker, world, clock, console, home_id, owner.resident_id)


def _bills(setting: Setting) -> list[Any]:
    with setting.uow() as uow:
        return [(b.id, b.status.value) for b in uow.bills.unpaid_for_property(setting.home_id)]


def test_billing_run_issues_the_month_once(setting: Setting) -> None:
    first, second = setting.run_twice("billing_run", lambda: _bills(setting))
    assert len(first) == 1
    assert second == first


def test_due_reminders_tell_each_member_once(setting: Setting) -> None:
    setting.world.run(date(2026, 1, 1))  # due on 16 January

    def reminded() -> tuple[int, int]:
        with setting.worker.queue.engine.connect() as connection:
            inbox = connection.execute(
                sa.select(sa.func.count()).select_from(inbox_messages)
            ).scalar_one()
        return inbox, len(setting.console.sent)

    seen = setting.run_twice("due_reminders", reminded, local_date="2026-01-13", days_before=3)
    assert seen == [(1, 1), (1, 1)]
    (_, message) = setting.console.sent[0]
    assert message.resident_id == setting.owner_id
    assert "2026-01-16" in message.body
    nothing = setting.run_twice("due_reminders", reminded, local_date="2026-01-12", days_before=3)
    assert nothing == [(1, 1), (1, 1)], "no bill falls due three days after the 12th"


def test_unrated_work_orders_close_once(setting: Setting) -> None:
    with setting.uow() as uow:
        order = completed(report(setting.home(), OPENED), OPENED)
        uow.work_orders.add(order)
        uow.commit()
    setting.clock.set(LATER)

    def state() -> str:
        with setting.uow() as uow:
            return str(uow.work_orders.get(order.id).status.value)

    assert setting.run_twice("close_unrated_work_orders", state) == ["closed", "closed"]


def test_replied_complaints_close_once(setting: Setting) -> None:
    with setting.uow() as uow:
        complaint = replied(submit(setting.home(), OPENED), OPENED)
        uow.complaints.add(complaint)
        uow.commit()
    setting.clock.set(LATER)

    def state() -> str:
        with setting.uow() as uow:
            return str(uow.complaints.get(complaint.id).status.value)

    assert setting.run_twice("close_unrated_complaints", state) == ["closed", "closed"]


def test_coupons_past_their_window_expire_once(setting: Setting) -> None:
    merchant = a_merchant(setting.tenant_id, [setting.world.community_id])
    campaign = a_campaign(merchant, valid_from=OPENED, days=7)
    coupon = claim(campaign, setting.owner_id, at=OPENED)
    with setting.uow() as uow:
        uow.merchants.add(merchant)
        uow.coupon_campaigns.add(campaign)
        uow.coupons.add(coupon)
        uow.commit()
    setting.clock.set(LATER)

    def state() -> str:
        with setting.uow() as uow:
            return str(uow.coupons.get(coupon.id).state.value)

    assert setting.run_twice("expire_coupons", state) == ["expired", "expired"]


def test_expired_pending_payments_close_once(setting: Setting) -> None:
    setting.world.run(date(2026, 1, 1))
    payment = setting.world.pay(
        ResidentActor(resident_id=setting.owner_id),
        setting.home_id,
        setting.world.bill_ids(setting.home_id),
    )
    setting.clock.set(LATER)

    def state() -> str:
        with setting.uow() as uow:
            return str(uow.payments.get(payment.id).status.value)

    assert setting.run_twice("close_expired_payments", state) == ["closed", "closed"]


def test_sms_codes_expired_a_day_ago_are_purged_once(setting: Setting) -> None:
    old, _ = an_sms_code(setting.tenant_id, at=OPENED)
    fresh, _ = an_sms_code(setting.tenant_id, phone="13800000002", at=LATER - timedelta(minutes=1))
    with setting.uow() as uow:
        uow.sms_codes.add(old)
        uow.sms_codes.add(fresh)
        uow.commit()
    setting.clock.set(LATER)

    def left() -> list[Any]:
        with setting.worker.queue.engine.connect() as connection:
            return list(connection.execute(sa.select(sms_codes.c.id)).scalars())

    assert setting.run_twice("purge_sms_codes", left) == [[fresh.id], [fresh.id]]


def test_scheduled_notices_are_published_once_when_due(setting: Setting) -> None:
    notice_id = create_notice(
        setting.world.uow,
        setting.clock,
        setting.world.admin,
        CreateNotice(
            kind=NoticeKind.GENERAL,
            title="春节值班安排",
            body="春节期间物业服务中心照常值班。",
            community_ids=frozenset({setting.world.community_id}),
        ),
    )
    publish_notice(
        setting.world.uow,
        setting.clock,
        setting.worker.estate.moderator,
        setting.world.admin,
        PublishNotice(notice_id=notice_id, at=LATER),
    )
    setting.clock.set(LATER)

    def state() -> str:
        with setting.uow() as uow:
            return str(uow.notices.get(notice_id).state.value)

    assert setting.run_twice("publish_scheduled_notices", state) == ["published", "published"]


def test_dunning_sends_one_letter_a_month_to_the_homes_in_arrears(setting: Setting) -> None:
    setting.world.run(date(2026, 1, 1))
    setting.clock.set(LATER)

    def letters() -> list[Any]:
        with setting.uow() as uow:
            page = uow.notices.in_community(setting.world.community_id, PageRequest(limit=10))
            return [(n.title, sorted(n.audience.property_ids)) for n in page.items]

    seen = setting.run_twice("dunning", letters, threshold_fen=10_000)
    assert seen[0] == [("物业费催缴函", [setting.home_id])]
    assert seen[1] == seen[0]
