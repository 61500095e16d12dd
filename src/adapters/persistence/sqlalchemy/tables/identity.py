"""Tables of the identity context: tenants, communities, residents, staff, roles, SMS codes.

Phone numbers are never stored in the clear (DESIGN.md §9, ``personal_data.py``): a
``phone_ciphertext`` to read them back and a ``phone_hmac`` to find them, which also carries
the one-account-per-number-per-tenant keys. SMS throttles keep only the keyed hash of their key
(``phone:…`` / ``ip:…``): counting sends never needs the number back.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.json_values import (
    InstantList,
    StrEnumSet,
    StringList,
    UuidList,
)
from adapters.persistence.sqlalchemy.metadata import (
    CROSS_TENANT,
    id_column,
    metadata,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.personal_data import PHONE, EncryptedText, LookupHash
from adapters.persistence.sqlalchemy.tables.properties import sort_text
from adapters.persistence.sqlalchemy.types import UtcDateTime, str_enum
from estate_core.identity.model import (
    EXTERNAL_ID_MAX,
    NAME_MAX,
    PERSON_NAME_MAX,
    SurplusPolicy,
)
from estate_core.identity.sms import MAX_WRONG_TRIES, CodeState, SmsPurpose
from estate_core.shared.access import Permission

REASON_MAX = 200
LOGIN_ACROSS_TENANTS = (
    "a login with a shared official account lists every tenant the phone belongs to (DESIGN §3)"
)
TIME_ZONE_MAX = 64


def phone_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("phone_ciphertext", EncryptedText(PHONE), nullable=False),
        sa.Column("phone_hmac", LookupHash(PHONE), nullable=False),
    ]


tenants = sa.Table(
    "tenants",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("surplus_policy", str_enum(SurplusPolicy, "surplus_policy"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.CheckConstraint("tenant_id = id", name="own_tenant"),
)

communities = sa.Table(
    "communities",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("name", sort_text(NAME_MAX), nullable=False),
    sa.Column("address", sa.Text(), nullable=False),
    sa.Column("time_zone", sa.String(TIME_ZONE_MAX), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "name"),
)

residents = sa.Table(
    "residents",
    metadata,
    tenant_id_column(),
    id_column(),
    *phone_columns(),
    sa.Column("name", sa.String(PERSON_NAME_MAX), nullable=False),
    sa.Column("phone_verified_at", UtcDateTime(), nullable=True),
    sa.Column("wechat_openid", sa.String(EXTERNAL_ID_MAX), nullable=True),
    sa.Column("alipay_user_id", sa.String(EXTERNAL_ID_MAX), nullable=True),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("disabled_reason", sa.String(REASON_MAX), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "phone_hmac"),
    sa.UniqueConstraint("tenant_id", "wechat_openid"),
    sa.UniqueConstraint("tenant_id", "alipay_user_id"),
    sa.Index("ix_residents_phone_hmac", "phone_hmac", info={CROSS_TENANT: LOGIN_ACROSS_TENANTS}),
    sa.CheckConstraint("disabled OR disabled_reason IS NULL", name="reason_only_when_disabled"),
)

roles = sa.Table(
    "roles",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("code", sort_text(32), nullable=False),
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("permissions", StrEnumSet(Permission), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "code"),
)

staff = sa.Table(
    "staff",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("name", sort_text(PERSON_NAME_MAX), nullable=False),
    *phone_columns(),
    sa.Column("roles", StringList(), nullable=False),
    sa.Column("community_ids", UuidList(), nullable=True),
    sa.Column("merchant_id", sa.Uuid(), nullable=True),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("disabled_reason", sa.String(REASON_MAX), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "phone_hmac"),
    sa.Index("ix_staff_tenant_id_name_id", "tenant_id", "name", "id"),
    sa.Index("ix_staff_phone_hmac", "phone_hmac", info={CROSS_TENANT: LOGIN_ACROSS_TENANTS}),
    sa.CheckConstraint("disabled OR disabled_reason IS NULL", name="reason_only_when_disabled"),
)

sms_codes = sa.Table(
    "sms_codes",
    metadata,
    tenant_id_column(),
    id_column(),
    *phone_columns(),
    sa.Column("purpose", str_enum(SmsPurpose, "purpose"), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(CodeState, "state"), nullable=False),
    sa.Column("wrong_tries", sa.Integer(), nullable=False),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.Index(
        "ix_sms_codes_tenant_id_phone_hmac_purpose_sent_at_id",
        "tenant_id",
        "phone_hmac",
        "purpose",
        "sent_at",
        "id",
    ),
    sa.Index("ix_sms_codes_tenant_id_expires_at", "tenant_id", "expires_at"),
    sa.CheckConstraint("state <> 'expired'", name="expired_is_never_stored"),
    sa.CheckConstraint(
        f"wrong_tries >= 0 AND wrong_tries <= {MAX_WRONG_TRIES}", name="wrong_tries_bounded"
    ),
    sa.CheckConstraint("(state = 'used') = (used_at IS NOT NULL)", name="used_at_when_used"),
    sa.CheckConstraint("expires_at > sent_at", name="expires_after_sent"),
)

sms_throttles = sa.Table(
    "sms_throttles",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("key_hmac", LookupHash("sms_throttle.key"), nullable=False),
    sa.Column("sends", InstantList(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "key_hmac"),
)
