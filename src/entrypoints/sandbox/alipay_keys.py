"""RSA2 (SHA256withRSA, PKCS#1 v1.5) as Alipay signs and checks, written apart from the SDK.

The emulator signs and verifies with ``cryptography`` and its own canonical form, so a test
of the SDK against it checks two independent implementations of one protocol.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def load_private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("Alipay keys are RSA keys")
    return key


def signing_text(fields: Mapping[str, str], *, leave_out: frozenset[str]) -> str:
    """Alipay's canonical string: non-empty fields but ``leave_out``, sorted, ``k=v`` by ``&``.

    Requests leave out ``sign``; notifications and return parameters ``sign`` and ``sign_type``.
    """
    return "&".join(
        f"{name}={value}"
        for name, value in sorted(fields.items())
        if value and name not in leave_out
    )


def sign(key: rsa.RSAPrivateKey, text: str) -> str:
    raw = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def verify(public_key_pem: str, text: str, signature: str) -> bool:
    public = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        public.verify(raw, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
