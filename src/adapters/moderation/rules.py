"""Rule-based content moderation: the default :class:`ContentModerator`, pure Python.

Seed 000: notices that "may contain advertising or other prohibited information" are refused and
the writer fixes them (垃圾内容智能识别过滤). Spam in a community notice board is mostly contact
details — a phone number, a link, a WeChat or QQ id to add — plus a small set of words that only
ever appear in illegal advertising. The rules:

- phone numbers: mainland mobiles (also spaced or dashed, with +86), landlines, 400/800 hotlines;
- links: ``http(s)://``, ``www.`` and bare domains with a common top-level domain;
- WeChat / QQ ids offered for contact (微信号: abc123, 加V abc123, QQ 12345678);
- prohibited words (the defaults, plus each tenant's extra keywords), matched after removing the
  spaces and punctuation that spammers put between characters.

Text is normalised first: full-width characters become ASCII (NFKC), invisible characters go,
and case is folded. Each tenant may add keywords and *allowed patterns* — regular expressions for
text the rules must ignore, such as the company's own service hotline or web site, which its
notices legitimately carry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from estate_core.community.ports import ModerationVerdict

DEFAULT_PROHIBITED_WORDS: tuple[str, ...] = (
    "代开发票",
    "发票代开",
    "代办证件",
    "刻章办证",
    "信用卡套现",
    "信用卡代还",
    "无抵押贷款",
    "网络博彩",
    "博彩",
    "百家乐",
    "六合彩",
    "网上赌场",
    "兼职刷单",
    "刷单返利",
    "日结兼职",
    "高额返利",
    "裸聊",
    "约炮",
    "冰毒",
    "迷药",
    "枪支出售",
    "窃听器",
    "代孕",
)
"""Words that appear only in illegal advertising, not in a notice warning residents about it."""

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_SEPARATORS = re.compile(r"[\W_]+")
_SEP = r"[\s\-.]?"

_PHONE_RULES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"),
    re.compile(r"(?<!\d)1(?:\s\d){10}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[\s\-]*\d{7,8}(?!\d)"),
    re.compile(r"(?<!\d)[48]00[\s\-]*\d{3}[\s\-]*\d{4}(?!\d)"),
)
_TLDS = "com|cn|net|org|top|xyz|vip|cc|io|me|info|shop|club|site|online|ltd|wang|biz|co|tk|link|app"
_URL_RULES: tuple[re.Pattern[str], ...] = (
    re.compile(r"https?://\S+"),
    re.compile(r"www\.[a-z0-9\-]+\S*"),
    re.compile(
        rf"(?<![a-z0-9\-.])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS})(?![a-z0-9\-])"
    ),
)
_CONTACT_ID_RULES: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?:微信|威信|薇信|维信|徽信|v信|(?<![a-z])(?:vx|wx|weixin|wechat|加v|加微|加我))"
        r"[\s:：号是为]*[a-z][a-z0-9_\-]{5,19}"
    ),
    re.compile(r"(?:(?<![a-z])qq|扣扣|企鹅)[\s:：号群是为]*\d{5,11}"),
)


@dataclass(frozen=True)
class TenantRules:
    """One tenant's additions: more prohibited words, and regexes of text to let through."""

    extra_keywords: tuple[str, ...] = ()
    allowed_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Compiled:
    keywords: tuple[str, ...]
    allowed: tuple[re.Pattern[str], ...]


def normalize(text: str) -> str:
    """Full-width to ASCII, invisible characters removed, case folded."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _mask_digits(found: str) -> str:
    digits = re.sub(r"\D", "", found)
    return f"{digits[:3]}****{digits[-2:]}" if len(digits) > 5 else "****"


class RuleBasedModerator:
    """The keyword and pattern moderator; configure tenants up front or with :meth:`configure`."""

    def __init__(
        self,
        keywords: Iterable[str] = DEFAULT_PROHIBITED_WORDS,
        tenants: Mapping[UUID, TenantRules] | None = None,
    ) -> None:
        self._keywords = tuple(self._compact(word) for word in keywords if word.strip())
        self._default = _Compiled(keywords=self._keywords, allowed=())
        self._tenants: dict[UUID, _Compiled] = {}
        for tenant_id, rules in (tenants or {}).items():
            self.configure(tenant_id, rules)

    @staticmethod
    def _compact(text: str) -> str:
        return _SEPARATORS.sub("", normalize(text))

    def configure(self, tenant_id: UUID, rules: TenantRules) -> None:
        """Set a tenant's rules; an invalid allowed pattern raises ``ValueError`` here, at once."""
        try:
            allowed = tuple(re.compile(p, re.IGNORECASE) for p in rules.allowed_patterns)
        except re.error as error:
            raise ValueError(f"invalid allowed pattern: {error}") from error
        extra = tuple(self._compact(word) for word in rules.extra_keywords if word.strip())
        self._tenants[tenant_id] = _Compiled(keywords=self._keywords + extra, allowed=allowed)

    def check(self, tenant_id: UUID, text: str) -> ModerationVerdict:
        rules = self._tenants.get(tenant_id, self._default)
        plain = normalize(text)
        for pattern in rules.allowed:
            plain = pattern.sub(" ", plain)
        for rule in _PHONE_RULES:
            if found := rule.search(plain):
                return ModerationVerdict.refuse(
                    f"contains a phone number 含有电话号码 ({_mask_digits(found.group())})"
                )
        for rule in _URL_RULES:
            if found := rule.search(plain):
                return ModerationVerdict.refuse(f"contains a link 含有网址 ({found.group()})")
        for rule in _CONTACT_ID_RULES:
            if found := rule.search(plain):
                return ModerationVerdict.refuse(
                    f"contains a WeChat/QQ contact 含有微信号或QQ号 ({found.group()})"
                )
        compact = _SEPARATORS.sub("", plain)
        for word in rules.keywords:
            if word and word in compact:
                return ModerationVerdict.refuse(f"contains a prohibited word 含有违禁词 ({word})")
        return ModerationVerdict.allow()
