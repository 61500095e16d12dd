"""Login sessions, staff passwords and the accounts a phone has across tenants.

A bearer token is ``<tenant id>.<session id>.<secret>``: the row is found by its primary key and
proved by the SHA-256 of the secret (256 random bits, so no slow hash is needed). A session
lives while its row is not revoked nor expired, its subject is not disabled, and the subject's
phone is the one it logged in with: disabling an account or changing its phone ends every
session at once, with no list of sessions to chase.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Literal
from uuid import UUID

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.tables.auth import auth_sessions, staff_passwords
from adapters.persistence.sqlalchemy.tables.identity import residents, staff, tenants
from estate_core.shared.clock import Clock
from estate_core.shared.ids import new_id

SubjectKind = Literal["resident", "staff"]

_SUBJECTS: dict[str, sa.Table] = {"resident": residents, "staff": staff}


@attrs.frozen(kw_only=True)
class SessionSubject:
    """Who a live session speaks for."""

    tenant_id: UUID
    session_id: UUID
    kind: SubjectKind
    subject_id: UUID


@attrs.frozen(kw_only=True)
class TenantAccount:
    """One tenant where a phone has an account (the shared-official-account login)."""

    tenant_id: UUID
    tenant_name: str
    account_id: UUID


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(token: str) -> tuple[UUID, UUID, str] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        return UUID(hex=parts[0]), UUID(hex=parts[1]), parts[2]
    except ValueError:
        return None


def _read_only(engine: Engine) -> sa.Connection:
    """A connection for reads that on SQLite does not queue behind writers (``BEGIN``, not
    ``BEGIN IMMEDIATE``: see ``engine.py``)."""
    return engine.connect().execution_options(sqlite_deferred=True)


class SqlLoginSessions:
    """Opens, resolves and revokes bearer-token sessions."""

    def __init__(self, engine: Engine, clock: Clock, lifetime: timedelta) -> None:
        self._engine, self._clock, self._lifetime = engine, clock, lifetime

    def _reading(self) -> sa.Connection:
        return _read_only(self._engine)

    def open(self, tenant_id: UUID, kind: SubjectKind, subject_id: UUID) -> str:
        """A new session for an account that just proved itself; returns the bearer token."""
        subject = _SUBJECTS[kind]
        session_id, secret, now = new_id(), secrets.token_urlsafe(32), self._clock.now()
        with self._engine.begin() as connection:
            phone_hmac = connection.execute(
                sa.select(subject.c.phone_hmac).where(
                    subject.c.tenant_id == tenant_id, subject.c.id == subject_id
                )
            ).scalar_one()
            connection.execute(
                auth_sessions.insert().values(
                    tenant_id=tenant_id,
                    id=session_id,
                    secret_sha256=_digest(secret),
                    subject_kind=kind,
                    subject_id=subject_id,
                    phone_hmac=phone_hmac,
                    created_at=now,
                    expires_at=now + self._lifetime,
                )
            )
        return f"{tenant_id.hex}.{session_id.hex}.{secret}"

    def resolve(self, token: str) -> SessionSubject | None:
        """The subject of a live session, or None (unknown, wrong, revoked, expired, disabled,
        or the phone changed since the login)."""
        parsed = _parse(token)
        if parsed is None:
            return None
        tenant_id, session_id, secret = parsed
        s = auth_sessions
        with self._reading() as connection:
            row = connection.execute(
                sa.select(s).where(
                    s.c.tenant_id == tenant_id,
                    s.c.id == session_id,
                    s.c.revoked_at.is_(None),
                    s.c.expires_at > self._clock.now(),
                )
            ).one_or_none()
            if row is None or not hmac.compare_digest(row.secret_sha256, _digest(secret)):
                return None
            subject = _SUBJECTS[row.subject_kind]
            alive = connection.execute(
                sa.select(sa.literal(True)).where(
                    subject.c.tenant_id == tenant_id,
                    subject.c.id == row.subject_id,
                    subject.c.disabled.is_(False),
                    subject.c.phone_hmac == sa.type_coerce(row.phone_hmac, sa.String()),
                )
            ).scalar_one_or_none()
        if not alive:
            return None
        return SessionSubject(
            tenant_id=tenant_id,
            session_id=session_id,
            kind=row.subject_kind,
            subject_id=row.subject_id,
        )

    def revoke(self, tenant_id: UUID, session_id: UUID) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                auth_sessions.update()
                .where(
                    auth_sessions.c.tenant_id == tenant_id,
                    auth_sessions.c.id == session_id,
                    auth_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=self._clock.now())
            )


class SqlStaffPasswords:
    """Argon2 hashes of staff passwords, one per staff account (hashed by the caller)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock

    def _reading(self) -> sa.Connection:
        return _read_only(self._engine)

    def get(self, tenant_id: UUID, staff_id: UUID) -> str | None:
        with self._reading() as connection:
            found: str | None = connection.execute(
                sa.select(staff_passwords.c.password_hash).where(
                    staff_passwords.c.tenant_id == tenant_id, staff_passwords.c.id == staff_id
                )
            ).scalar_one_or_none()
            return found

    def set(self, tenant_id: UUID, staff_id: UUID, password_hash: str) -> None:
        key = (staff_passwords.c.tenant_id == tenant_id) & (staff_passwords.c.id == staff_id)
        values = {"password_hash": password_hash, "changed_at": self._clock.now()}
        with self._engine.begin() as connection:
            changed = connection.execute(staff_passwords.update().where(key).values(values))
            if changed.rowcount == 0:
                connection.execute(
                    staff_passwords.insert().values(tenant_id=tenant_id, id=staff_id, **values)
                )


class SqlAccountDirectory:
    """The tenants where a phone has a resident or an enabled staff account.

    The only reads that span tenants, for logging in through a shared official account; they
    return tenant names and ids, never another tenant's data.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _reading(self) -> sa.Connection:
        return _read_only(self._engine)

    def accounts(self, kind: SubjectKind, phone: str) -> list[TenantAccount]:
        subject = _SUBJECTS[kind]
        query = (
            sa.select(subject.c.tenant_id, tenants.c.name, subject.c.id)
            .join(tenants, tenants.c.tenant_id == subject.c.tenant_id)
            .where(
                tenants.c.id == subject.c.tenant_id,
                subject.c.phone_hmac == phone,
                subject.c.disabled.is_(False),
            )
            .order_by(tenants.c.name, subject.c.tenant_id)
        )
        with self._reading() as connection:
            return [
                TenantAccount(tenant_id=row[0], tenant_name=row[1], account_id=row[2])
                for row in connection.execute(query)
            ]
