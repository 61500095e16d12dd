"""Personal data at rest (DESIGN.md §9): phone numbers encrypted, found through a keyed hash.

A phone is stored twice, neither time in the clear:

- ``<field>_ciphertext`` (:class:`EncryptedText`): AES-256-GCM, a fresh 96-bit nonce per value,
  the field's name as associated data (a phone's ciphertext does not decrypt as another field).
  The only copy that gives the number back, for the SMS and for staff who may see it.
- ``<field>_hmac`` (:class:`LookupHash`): HMAC-SHA256 of the value, hex, so that
  ``find_by_phone`` and the per-tenant unique key work on an equality the database can index.
  Keyed, so a copy of the table cannot be reversed by hashing every one of the ~10^10 mobile
  numbers, which a plain hash would allow in minutes.

Both keys are derived with HKDF-SHA256 from one configured secret (``ESTATE_SECRET_KEY``),
under different labels, by :class:`FieldCipher`. The column types do the work, so every path
(the ORM, a Core bulk insert, a ``WHERE`` clause) encrypts and hashes the same way: give both
columns the plain value, and compare the hash column with a plain value.

The key reaches the types once per process, at start-up, like ``start_mappers()``::

    configure_personal_data(FieldCipher.from_secret_key(os.environ["ESTATE_SECRET_KEY"]))

Until then, reading or writing such a column raises :class:`PersonalDataKeyMissing` with that
instruction. Ciphertexts start with a format byte, so a rotated key or algorithm can be told
apart from this one later.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Dialect

SECRET_KEY_MIN_LENGTH = 32
"""Characters of ``ESTATE_SECRET_KEY`` at least (``generate_secret_key`` gives 43)."""

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12
HASH_HEX_LENGTH = 64
PHONE = "phone"
"""The field label of every phone column: one number hashes alike in every table."""


class PersonalDataKeyMissing(RuntimeError):
    """Personal data was read or written before :func:`configure_personal_data`."""


class UndecryptableValue(ValueError):
    """A ciphertext made with another key, for another field, or altered."""


def _derive(secret: bytes, label: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode())
    return hkdf.derive(secret)


class FieldCipher:
    """Encrypts and hashes personal data with keys derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < SECRET_KEY_MIN_LENGTH:
            raise ValueError(f"the secret key needs at least {SECRET_KEY_MIN_LENGTH} bytes")
        self._aead = AESGCM(_derive(secret, "estate personal data encryption v1"))
        self._mac_key = _derive(secret, "estate personal data lookup v1")
        self.fingerprint = _derive(secret, "estate secret key fingerprint v1").hex()
        """Tells keys apart without revealing them: stored to detect a changed key."""

    @classmethod
    def from_secret_key(cls, secret_key: str) -> FieldCipher:
        """The cipher of a configured secret key (``ESTATE_SECRET_KEY``), any printable text."""
        return cls(secret_key.strip().encode())

    @classmethod
    def from_environment(cls) -> FieldCipher:
        secret_key = os.environ.get("ESTATE_SECRET_KEY", "").strip()
        if not secret_key:
            raise PersonalDataKeyMissing("ESTATE_SECRET_KEY is not set")
        return cls.from_secret_key(secret_key)

    def __repr__(self) -> str:
        return "FieldCipher(<secret>)"

    def encrypt(self, value: str, field: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, value.encode(), field.encode())

    def decrypt(self, token: bytes, field: str) -> str:
        if token[:1] != FORMAT_V1 or len(token) < 1 + NONCE_BYTES:
            raise UndecryptableValue(f"not a {field} ciphertext of this format")
        nonce, sealed = token[1 : 1 + NONCE_BYTES], token[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, field.encode()).decode()
        except InvalidTag:
            raise UndecryptableValue(
                f"this {field} was encrypted with another key, or altered"
            ) from None

    def lookup_hash(self, value: str, field: str) -> str:
        message = field.encode() + b"\x00" + value.encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()


def generate_secret_key() -> str:
    """A new random secret key, for a first start or a test."""
    return secrets.token_urlsafe(32)


_cipher: FieldCipher | None = None


def configure_personal_data(cipher: FieldCipher | None) -> None:
    """Set the process's cipher (once, at start-up); ``None`` unsets it (tests)."""
    global _cipher
    _cipher = cipher


def personal_data_cipher() -> FieldCipher:
    if _cipher is None:
        raise PersonalDataKeyMissing(
            "no key for personal data: call configure_personal_data("
            "FieldCipher.from_secret_key(ESTATE_SECRET_KEY)) at start-up"
        )
    return _cipher


class EncryptedText(sa.types.TypeDecorator[str]):
    """Text stored encrypted (see the module); ``field`` names what it holds."""

    impl = sa.LargeBinary
    cache_ok = True
    alembic_render = "sa.LargeBinary()"

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"an encrypted column takes text, got {type(value).__name__}")
        return personal_data_cipher().encrypt(value, self.field)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else personal_data_cipher().decrypt(bytes(value), self.field)


class LookupHash(sa.types.TypeDecorator[str]):
    """The keyed hash of a value: a plain value bound to it (written or compared) is hashed.

    Read back, the column gives the hash itself: the value cannot be recovered from it.
    """

    impl = sa.String(HASH_HEX_LENGTH)
    cache_ok = True
    alembic_render = f"sa.String({HASH_HEX_LENGTH})"

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"a lookup hash column takes text, got {type(value).__name__}")
        return personal_data_cipher().lookup_hash(value, self.field)
