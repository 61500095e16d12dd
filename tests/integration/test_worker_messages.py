"""The event → message table end to end: use cases write events, the worker tells residents.

A payment settled reaches its payer; an urgent notice reaches every member of its community's
homes, and only them, in their inbox, on the console and by SMS.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from billing_samples import World, notification
from sqlalchemy.engine import URL
from worker_samples import a_worker

from adapters.messaging.sms import SmsChannel
from adapters.persistence.sqlalchemy.inbox import SqlInbox
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from adapters.sms.console import ConsoleSmsSender
from estate_core.community.notice import NoticeKind
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    create_notice,
    publish_notice,
)
from estate_core.payments.services.settlement import settle_payment
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    yield
    configure_personal_data(personal_data_key)


def test_the_payer_is_told_of_the_payment_and_members_of_an_urgent_notice(
    database: URL, mapped: None, tmp_path: Path
) -> None:
    clock = FixedClock(NOW)
    texts = ConsoleSmsSender()
    worker, console = a_worker(database, tmp_path, clock, channels=[SmsChannel(texts)])
    world = World.open(worker.estate.uow(new_id()), clock)
    home, other_home = world.home(), world.home()
    owner, neighbour = world.owner_of(home), world.owner_of(other_home)
    world.fee()
    world.run(date(2026, 1, 1))
    payment = world.pay(owner, home, world.bill_ids(home))
    settle_payment(world.uow, clock, notification(payment))
    notice_id = create_notice(
        world.uow,
        clock,
        world.admin,
        CreateNotice(
            kind=NoticeKind.URGENT,
            title="明日停水",
            body="明日 9:00-12:00 停水检修。",
            community_ids=frozenset({world.community_id}),
        ),
    )
    publish_notice(
        world.uow, clock, worker.estate.moderator, world.admin, PublishNotice(notice_id=notice_id)
    )

    while worker.runner.run_once():
        continue

    inbox = SqlInbox(worker.queue.engine)
    tenant_id = world.uow.tenant_id
    owners_messages = inbox.messages(tenant_id, owner.resident_id, 10)
    assert sorted((m.kind, m.title) for m in owners_messages) == [
        ("notice.published", "紧急通知"),
        ("payment.succeeded", "缴费成功"),
    ]
    assert "250.00" in next(m.body for m in owners_messages if m.kind == "payment.succeeded")
    neighbours = inbox.messages(tenant_id, neighbour.resident_id, 10)
    assert [(m.kind, m.body) for m in neighbours] == [("notice.published", "明日停水")]
    urgent = [message for _, message in console.sent if message.kind == "notice.published"]
    assert sorted(m.resident_id for m in urgent) == sorted(
        [owner.resident_id, neighbour.resident_id]
    )
    assert all(message.urgent for message in urgent)
    with world.uow:
        phones = {world.uow.residents.get(r.resident_id).phone for r in (owner, neighbour)}
    assert {sms.phone for sms in texts.sent} == phones, "the urgent notice, and only it, by SMS"
    assert all(sms.text == "【紧急通知】明日停水" for sms in texts.sent)
