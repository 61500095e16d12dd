"""The rule-based content moderator: contact details, links and prohibited words (seed 000)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.moderation import RuleBasedModerator, TenantRules
from estate_core.shared.ids import new_id

TENANT = new_id()
# Characters of ordinary notices: no digits, no Latin letters, no prohibited word can form.
PLAIN = "小区物业通知今天明日停水电梯维修请各位业主注意安全谢谢配合，。！、楼栋单元"
plain_text = st.text(alphabet=PLAIN, max_size=60)


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    digits = (
        "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    )
    style = draw(st.sampled_from(["plain", "dashed", "spaced", "prefixed", "fullwidth", "spread"]))
    if style == "dashed":
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == "spaced":
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == "prefixed":
        return "+86 " + digits
    if style == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in digits)
    if style == "spread":
        return " ".join(digits)
    return digits


@st.composite
def links(draw: st.DrawFn) -> str:
    label = draw(st.from_regex(r"[a-z][a-z0-9]{1,12}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "cn", "net", "top", "vip", "xyz"]))
    prefix = draw(st.sampled_from(["", "www.", "http://", "https://", "HTTPS://"]))
    path = draw(st.sampled_from(["", "/a", "/promo?id=1"]))
    return f"{prefix}{label}.{tld}{path}"


@settings(max_examples=60, deadline=None)
@given(before=plain_text, phone=mobile_numbers(), after=plain_text)
def test_moderation_catches_phone_numbers_in_any_text(before: str, phone: str, after: str) -> None:
    verdict = RuleBasedModerator().check(TENANT, before + phone + after)
    assert not verdict.allowed
    assert "phone number" in verdict.reason


@settings(max_examples=60, deadline=None)
@given(before=plain_text, link=links(), after=plain_text)
def test_moderation_catches_links_in_any_text(before: str, link: str, after: str) -> None:
    verdict = RuleBasedModerator().check(TENANT, f"{before} {link} {after}")
    assert not verdict.allowed
    assert "link" in verdict.reason


@settings(max_examples=60, deadline=None)
@given(text=plain_text)
def test_ordinary_notice_text_is_allowed(text: str) -> None:
    assert RuleBasedModerator().check(TENANT, text).allowed


@pytest.mark.parametrize(
    "text",
    [
        "本周六（3月21日）9:00-12:00停水，请提前储水。",
        "13-2-1801 13-2-1802 两户请到物业中心领取快递。",
        "物业费标准为每平方米1.80元/月，详见公示栏。",
        "谨防电信诈骗，不要向陌生人转账。",
        "祝全体业主2026年新春快乐！",
    ],
)
def test_common_notices_are_not_mistaken_for_spam(text: str) -> None:
    assert RuleBasedModerator().check(TENANT, text).allowed


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("家电清洗，有需要的加微信：clean_master88", "WeChat"),
        ("二手房出售 加V abc12345 详谈", "WeChat"),
        ("装修咨询 QQ：12345678", "QQ"),
        ("24小时开锁 028-85551234", "phone number"),
        ("全国服务热线 400-123-4567", "phone number"),
        ("专业代 开 发 票", "prohibited word"),
        ("网上百家乐，日进斗金", "prohibited word"),
    ],
)
def test_moderation_refuses_contact_details_and_prohibited_words(text: str, reason: str) -> None:
    verdict = RuleBasedModerator().check(TENANT, text)
    assert not verdict.allowed
    assert reason in verdict.reason


def test_phone_number_in_the_reason_is_masked() -> None:
    verdict = RuleBasedModerator().check(TENANT, "致电13812345678")
    assert "13812345678" not in verdict.reason
    assert "138****78" in verdict.reason


def test_extra_keywords_apply_to_their_tenant_only() -> None:
    other = new_id()
    moderator = RuleBasedModerator(tenants={TENANT: TenantRules(extra_keywords=("团购",))})
    assert not moderator.check(TENANT, "小区团购大米").allowed
    assert moderator.check(other, "小区团购大米").allowed


def test_allowed_patterns_let_the_tenant_publish_its_own_contacts() -> None:
    moderator = RuleBasedModerator()
    moderator.configure(
        TENANT, TenantRules(allowed_patterns=(r"028-8888 ?6666", r"wuye\.example\.cn"))
    )
    text = "服务热线 028-8888 6666，在线缴费请访问 wuye.example.cn"
    assert moderator.check(TENANT, text).allowed
    assert not moderator.check(TENANT, text + "，或致电 13900001111").allowed
    assert not moderator.check(new_id(), text).allowed


def test_invalid_allowed_pattern_is_refused_when_configured() -> None:
    with pytest.raises(ValueError, match="invalid allowed pattern"):
        RuleBasedModerator().configure(TENANT, TenantRules(allowed_patterns=("(unclosed",)))


def test_invisible_characters_do_not_hide_a_prohibited_word() -> None:
    assert not RuleBasedModerator().check(TENANT, "六\u200b合\u200b彩").allowed
