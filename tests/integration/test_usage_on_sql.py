"""Usage figures on SQL (SQLite and PostgreSQL): visits stored in bulk, a repeat skipped, counted
per day and feature, and another tenant's visits never counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.usage import SqlUsageStore
from estate_core.engagement.usage import DailyVisitors, Feature, UsageRecorder, flush_usage
from estate_core.shared.ids import new_id

SECRET = b"s" * 32
DAY = date(2026, 3, 15)


@pytest.fixture
def store(database: URL) -> Iterator[SqlUsageStore]:
    engine = make_engine(database)
    yield SqlUsageStore(engine)
    engine.dispose()


def test_visits_are_stored_once_and_counted_per_day_and_feature(store: SqlUsageStore) -> None:
    tenant, other_tenant, community = new_id(), new_id(), new_id()
    residents = [new_id() for _ in range(3)]
    recorder = UsageRecorder(SECRET)
    for resident in residents:
        recorder.record(tenant, community, Feature.BILLS, resident, DAY)
        recorder.record(tenant, community, Feature.BILLS, resident, DAY)
    recorder.record(tenant, community, Feature.PAYMENT, residents[0], DAY)
    recorder.record(tenant, community, Feature.BILLS, residents[0], DAY + timedelta(days=1))
    recorder.record(other_tenant, community, Feature.BILLS, new_id(), DAY)
    assert flush_usage(recorder, store) == 6
    recorder.record(tenant, community, Feature.BILLS, residents[1], DAY)
    assert flush_usage(recorder, store) == 0
    found = store.daily_visitors(tenant, [community], DAY, DAY + timedelta(days=1))
    assert found == [
        DailyVisitors(day=DAY, community_id=community, feature=Feature.BILLS, visitors=3),
        DailyVisitors(day=DAY, community_id=community, feature=Feature.PAYMENT, visitors=1),
        DailyVisitors(
            day=DAY + timedelta(days=1), community_id=community, feature=Feature.BILLS, visitors=1
        ),
    ]
    assert store.daily_visitors(tenant, [community], DAY, DAY)[0].visitors == 3
    assert [d.visitors for d in store.daily_visitors(other_tenant, [community], DAY, DAY)] == [1]
    assert store.daily_visitors(tenant, [new_id()], DAY, DAY) == []


def test_a_large_flush_goes_in_batches(store: SqlUsageStore) -> None:
    tenant, community = new_id(), new_id()
    recorder = UsageRecorder(SECRET)
    for _ in range(12_000):
        recorder.record(tenant, community, Feature.NOTICES, new_id(), DAY)
    assert flush_usage(recorder, store) == 12_000
    assert [d.visitors for d in store.daily_visitors(tenant, [community], DAY, DAY)] == [12_000]
