"""Usage figures (UV): a keyed daily hash per visitor, recorded in memory, stored in bulk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.persistence.memory.usage import InMemoryUsageStore
from engagement_builders import staff
from estate_core.engagement.services.usage import usage_report
from estate_core.engagement.usage import (
    DailyVisitors,
    Feature,
    UsageRecorder,
    Visit,
    flush_usage,
    visitor_hash,
)
from estate_core.shared.access import Permission
from estate_core.shared.ids import new_id
from world_builders import code_of

SECRET = b"k" * 32
DAY = date(2026, 3, 15)
TENANT, COMMUNITY = new_id(), new_id()


@given(st.uuids(), st.uuids(), st.dates(), st.integers(1, 400))
def test_the_hash_is_stable_for_a_day_and_unlinkable_across_days(
    resident, other, day, days
) -> None:  # type: ignore[no-untyped-def]
    same = visitor_hash(SECRET, day, resident)
    assert same == visitor_hash(SECRET, day, resident)
    assert resident.hex not in same
    if other != resident:
        assert visitor_hash(SECRET, day, other) != same
    try:
        later = day + timedelta(days=days)
    except OverflowError:
        return
    assert visitor_hash(SECRET, later, resident) != same
    assert visitor_hash(b"another secret", day, resident) != same


@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(list(Feature))), max_size=40))
def test_each_visitor_counts_once_a_day_per_feature(visits: list[tuple[int, Feature]]) -> None:
    residents = [new_id() for _ in range(5)]
    recorder, store = UsageRecorder(SECRET), InMemoryUsageStore()
    for who, feature in visits:
        recorder.record(TENANT, COMMUNITY, feature, residents[who], DAY)
    flush_usage(recorder, store)
    flush_usage(recorder, store)
    expected = {feature: len({who for who, f in visits if f is feature}) for _, feature in visits}
    found = store.daily_visitors(TENANT, [COMMUNITY], DAY, DAY)
    assert {d.feature: d.visitors for d in found} == expected


def test_a_flush_twice_stores_nothing_new() -> None:
    recorder, store = UsageRecorder(SECRET), InMemoryUsageStore()
    resident = new_id()
    recorder.record(TENANT, COMMUNITY, Feature.BILLS, resident, DAY)
    assert flush_usage(recorder, store) == 1
    recorder.record(TENANT, COMMUNITY, Feature.BILLS, resident, DAY)
    assert flush_usage(recorder, store) == 0
    assert store.daily_visitors(TENANT, [COMMUNITY], DAY, DAY) == [
        DailyVisitors(day=DAY, community_id=COMMUNITY, feature=Feature.BILLS, visitors=1)
    ]


def test_a_failed_flush_keeps_the_visits_for_the_next() -> None:
    class Down:
        def add_visits(self, tenant_id, visits):  # type: ignore[no-untyped-def]
            raise OSError("database unavailable")

        def daily_visitors(self, *args):  # type: ignore[no-untyped-def]
            return []

    recorder, store = UsageRecorder(SECRET), InMemoryUsageStore()
    recorder.record(TENANT, COMMUNITY, Feature.REPAIR, new_id(), DAY)
    with pytest.raises(OSError, match="unavailable"):
        flush_usage(recorder, Down())
    assert flush_usage(recorder, store) == 1


def test_tenants_are_counted_apart() -> None:
    recorder, store = UsageRecorder(SECRET), InMemoryUsageStore()
    other = new_id()
    recorder.record(other, COMMUNITY, Feature.NOTICES, new_id(), DAY)
    flush_usage(recorder, store)
    assert store.daily_visitors(TENANT, [COMMUNITY], DAY, DAY) == []


@given(st.integers(-3, 400))
def test_a_report_covers_one_day_to_a_year(days: int) -> None:
    store = InMemoryUsageStore()
    store.add_visits(
        TENANT, [Visit(day=DAY, community_id=COMMUNITY, feature=Feature.BILLS, visitor="a")]
    )
    reader = staff(Permission.REPORT_READ)

    def report() -> list[DailyVisitors]:
        return usage_report(store, TENANT, reader, COMMUNITY, DAY, DAY + timedelta(days=days))

    if 0 <= days <= 365:
        assert [d.visitors for d in report()] == [1]
    else:
        assert code_of(report) == "usage.invalid_range"


def test_only_report_readers_in_scope_read_usage() -> None:
    store = InMemoryUsageStore()
    far = staff(Permission.REPORT_READ, communities=frozenset({new_id()}))
    assert code_of(lambda: usage_report(store, TENANT, far, COMMUNITY, DAY, DAY)) == (
        "permission.out_of_scope"
    )
    clerk = staff(Permission.NOTICE_PUBLISH)
    assert code_of(lambda: usage_report(store, TENANT, clerk, COMMUNITY, DAY, DAY)) == (
        "permission.missing"
    )
