"""The cryptography of WeChat Pay API v3, as the gateway side does it (for the emulator).

- Requests carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
  timestamp=…,serial_no=…``: RSA-SHA256 (PKCS#1 v1.5) by the merchant's API certificate key
  over ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n``.
- Answers and notifications carry ``Wechatpay-Timestamp/-Nonce/-Signature/-Serial`` signed by
  the WeChat Pay key over ``TIMESTAMP\\nNONCE\\nBODY\\n``; ``-Serial`` is the public key's id.
- A notification's ``resource`` is AES-256-GCM under the merchant's API v3 key, base64, with a
  12-character nonce and ``associated_data`` the resource's type.
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import string
import time

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')
_ALNUM = string.ascii_letters + string.digits


def random_text(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


@attrs.frozen
class KeyPair:
    """An RSA key pair as PEM text (PKCS#8 private, SubjectPublicKeyInfo public)."""

    private_pem: str = attrs.field(repr=False)
    public_pem: str

    @classmethod
    def generate(cls) -> KeyPair:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private.decode(), public.decode())

    def sign(self, message: str) -> str:
        signature = _private_key(self.private_pem).sign(
            message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return base64.b64encode(signature).decode()


@functools.lru_cache(maxsize=256)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """Loaded once per key: loading checks the key, which is slow."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("not an RSA private key")
    return key


def public_pem_of(private_pem: str) -> str:
    return (
        _private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@functools.lru_cache(maxsize=256)
def _public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("not an RSA public key")
    return key


def verify(public_pem: str, message: str, signature: str) -> bool:
    try:
        _public_key(public_pem).verify(
            base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_authorization(header: str) -> dict[str, str] | None:
    scheme, _, rest = header.partition(" ")
    if scheme != SIGNATURE_TYPE:
        return None
    fields = dict(_AUTH_FIELD.findall(rest))
    wanted = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}
    return fields if wanted <= fields.keys() else None


def request_message(method: str, path: str, timestamp: str, nonce: str, body: str) -> str:
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n"


def signed_headers(
    key: KeyPair, key_id: str, body: str, timestamp: int | None = None
) -> dict[str, str]:
    """The ``Wechatpay-*`` headers of an answer or a notification."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = random_text(32)
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": key.sign(f"{stamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": key_id,
        "Wechatpay-Signature-Type": SIGNATURE_TYPE,
    }


def encrypt_resource(api_v3_key: str, plaintext: str, associated_data: str) -> dict[str, str]:
    nonce = random_text(12)
    sealed = AESGCM(api_v3_key.encode()).encrypt(
        nonce.encode(), plaintext.encode(), associated_data.encode()
    )
    return {
        "original_type": associated_data,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(sealed).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }
