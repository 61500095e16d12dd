"""Dunning letters 催缴函: a targeted notice to the homes whose arrears pass a threshold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import pytest
from community_estate import Estate

from adapters.moderation import RuleBasedModerator
from estate_core.community.services.dunning import IssueDunningLetter, issue_dunning_letter
from estate_core.community.services.notice_reading import notices_for_resident
from estate_core.shared.access import ResidentActor
from estate_core.shared.errors import DomainError
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest


class FakeArrears:
    """The billing context's arrears query, as a table of what each home owes."""

    def __init__(self, owing: dict[UUID, Money]) -> None:
        self.owing = owing
        self.asked: list[tuple[UUID, UUID, Money, date]] = []

    def properties_in_arrears(
        self, tenant_id: UUID, community_id: UUID, threshold: Money, on: date
    ) -> Sequence[UUID]:
        self.asked.append((tenant_id, community_id, threshold, on))
        return [pid for pid, owed in self.owing.items() if owed >= threshold]


def test_dunning_letter_reaches_only_the_homes_in_arrears(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    debtor, small_debtor, payer = estate.resident(), estate.resident(), estate.resident()
    debtor_home = estate.home(owner=debtor)
    small_home = estate.home(owner=small_debtor)
    estate.home(owner=payer)
    arrears = FakeArrears({debtor_home: Money.yuan("1200.00"), small_home: Money.yuan("50")})

    letter = issue_dunning_letter(
        estate.uow,
        estate.clock,
        moderator,
        arrears,
        estate.admin,
        IssueDunningLetter(community_id=estate.community_id, threshold=Money.yuan("500")),
    )
    assert letter.property_count == 1
    assert arrears.asked == [
        (estate.uow.tenant_id, estate.community_id, Money.yuan("500"), date(2026, 3, 15))
    ]

    def titles(resident: ResidentActor) -> list[str]:
        page = notices_for_resident(
            estate.uow, estate.clock, resident, estate.community_id, PageRequest()
        )
        return [n.title for n in page.items]

    assert titles(debtor) == ["物业费催缴函"]
    assert titles(small_debtor) == titles(payer) == []
    (published,) = estate.events("NoticePublished")
    assert published["property_ids"] == [str(debtor_home)]


def test_dunning_with_no_home_in_arrears_sends_nothing(
    estate: Estate, moderator: RuleBasedModerator
) -> None:
    estate.home(owner=estate.resident())
    letter = issue_dunning_letter(
        estate.uow,
        estate.clock,
        moderator,
        FakeArrears({}),
        estate.admin,
        IssueDunningLetter(community_id=estate.community_id, threshold=Money.yuan("1")),
    )
    assert (letter.notice_id, letter.property_count) == (None, 0)
    assert estate.events("NoticePublished") == []


def test_dunning_threshold_must_be_positive(estate: Estate, moderator: RuleBasedModerator) -> None:
    with pytest.raises(DomainError) as refused:
        issue_dunning_letter(
            estate.uow,
            estate.clock,
            moderator,
            FakeArrears({}),
            estate.admin,
            IssueDunningLetter(community_id=estate.community_id, threshold=Money.zero()),
        )
    assert refused.value.code == "notice.invalid_threshold"


def test_dunning_letter_text_is_moderated(estate: Estate, moderator: RuleBasedModerator) -> None:
    home = estate.home(owner=estate.resident())
    with pytest.raises(DomainError) as refused:
        issue_dunning_letter(
            estate.uow,
            estate.clock,
            moderator,
            FakeArrears({home: Money.yuan("900")}),
            estate.admin,
            IssueDunningLetter(
                community_id=estate.community_id,
                threshold=Money.yuan("100"),
                body="请扫码添加微信 wuye_pay888 缴费",
            ),
        )
    assert refused.value.code == "notice.rejected_by_moderation"
    assert estate.events("NoticePublished") == []
