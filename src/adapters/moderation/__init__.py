"""Content moderation adapters; the default is keyword and pattern rules, pure Python."""

from adapters.moderation.rules import DEFAULT_PROHIBITED_WORDS, RuleBasedModerator, TenantRules

__all__ = ["DEFAULT_PROHIBITED_WORDS", "RuleBasedModerator", "TenantRules"]
