"""Tables of login sessions and staff passwords (the HTTP service's authentication).

A session row keeps only the SHA-256 of its bearer secret, and the keyed hash of the phone its
subject had at login: a later phone change no longer matches, so the session ends at once.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    tenant_id_column,
    tenant_primary_key,
)
from adapters.persistence.sqlalchemy.personal_data import HASH_HEX_LENGTH
from adapters.persistence.sqlalchemy.types import UtcDateTime

SUBJECT_KINDS = ("resident", "staff")
PASSWORD_HASH_MAX = 200

auth_sessions = sa.Table(
    "auth_sessions",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("secret_sha256", sa.String(64), nullable=False),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column("subject_id", sa.Uuid(), nullable=False),
    sa.Column("phone_hmac", sa.String(HASH_HEX_LENGTH), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    tenant_primary_key(),
    sa.Index("ix_auth_sessions_tenant_id_subject_id", "tenant_id", "subject_id"),
    sa.CheckConstraint("subject_kind IN ('resident', 'staff')", name="subject_kind"),
    sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
)

staff_passwords = sa.Table(
    "staff_passwords",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("password_hash", sa.String(PASSWORD_HASH_MAX), nullable=False),
    sa.Column("changed_at", UtcDateTime(), nullable=False),
    tenant_primary_key(),
    sa.ForeignKeyConstraint(
        ["tenant_id", "id"], ["staff.tenant_id", "staff.id"], ondelete="CASCADE"
    ),
)
