"""Refuse to start with a secret key other than the one the stored personal data was written
with (issue 15).

A changed ``ESTATE_SECRET_KEY`` would not fail loudly on its own: phone lookups would simply find
nobody ("no staff account with this phone") and new rows would be encrypted under a second key.
So the fingerprint of the key (:attr:`FieldCipher.fingerprint`) is recorded on the first start
and compared on every start. A database that already holds personal data when the fingerprint is
first recorded (one created before revision 0011) is checked by decrypting one stored phone.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from adapters.persistence.sqlalchemy.personal_data import PHONE, FieldCipher, UndecryptableValue
from adapters.persistence.sqlalchemy.tables.identity import residents
from adapters.persistence.sqlalchemy.tables.keys import INSTALLATION, key_fingerprints


class SecretKeyMismatch(RuntimeError):
    """The configured secret key is not the key this database's personal data was written with."""

    def __init__(self) -> None:
        super().__init__(
            "ESTATE_SECRET_KEY is not the key this database was written with: configure the "
            "original key again (changing it needs a key rotation, which re-encrypts the data)"
        )


def check_secret_key(engine: Engine, cipher: FieldCipher) -> None:
    """Record the key's fingerprint on the first start; raise :class:`SecretKeyMismatch` when
    the configured key differs from the recorded one."""
    try:
        with engine.begin() as connection:
            stored = _stored(connection)
            if stored is None:
                if not _reads_stored_data(connection, cipher):
                    raise SecretKeyMismatch
                connection.execute(
                    key_fingerprints.insert().values(
                        tenant_id=INSTALLATION, fingerprint=cipher.fingerprint
                    )
                )
                return
    except sa.exc.IntegrityError:
        with engine.connect() as connection:
            stored = _stored(connection)
    if stored is None or not hmac.compare_digest(stored, cipher.fingerprint):
        raise SecretKeyMismatch


def _stored(connection: Connection) -> str | None:
    statement = sa.select(key_fingerprints.c.fingerprint).where(
        key_fingerprints.c.tenant_id == INSTALLATION
    )
    fingerprint: str | None = connection.execute(statement).scalar_one_or_none()
    return fingerprint


def _reads_stored_data(connection: Connection, cipher: FieldCipher) -> bool:
    raw = sa.type_coerce(residents.c.phone_ciphertext, sa.LargeBinary())
    sample = connection.execute(sa.select(raw).limit(1)).scalar_one_or_none()
    if sample is None:
        return True
    try:
        cipher.decrypt(bytes(sample), PHONE)
    except UndecryptableValue:
        return False
    return True
