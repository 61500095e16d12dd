"""Configuration from ``ESTATE_*`` environment variables and an optional TOML file (DESIGN.md §10).

Precedence: environment, then the TOML file named by ``ESTATE_CONFIG``, then defaults.
``ESTATE_SECRET_KEY`` keys the encryption of personal data and the hashing of SMS codes; when it
is not configured, one is generated into the data directory on first start (with a warning), so
a demo works at once and a restart keeps being able to read its own data.
"""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from adapters.persistence.sqlalchemy.personal_data import SECRET_KEY_MIN_LENGTH
from estate_core.payments.credentials import (
    AlipayCredentials,
    Platform,
    WechatV3Credentials,
    credentials_from,
)

_log = logging.getLogger("estate.config")

SECRET_KEY_FILE = "secret_key"


class ConfigurationError(Exception):
    """The configuration cannot work; the message is one sentence saying what to fix."""


@attrs.frozen(kw_only=True)
class Settings:
    data_dir: Path
    database_url: str | None
    """None: the SQLite file in the data directory."""
    secret_key: str = attrs.field(repr=False)
    upload_max_bytes: int = 5 * 1024 * 1024
    """The largest photo an upload may carry (``ESTATE_UPLOAD_MAX_BYTES``)."""
    session_hours: int = 24 * 30
    """How long a login session lasts unless revoked (``ESTATE_SESSION_HOURS``)."""
    public_url: str = "http://127.0.0.1:8000"
    """Where the gateways reach this service: notification URLs are built on it."""
    platform: Platform = attrs.field(factory=Platform, repr=False)
    """The platform's own gateway accounts, for tenants in partner / ISV mode."""

    @property
    def files_dir(self) -> Path:
        """Where the local file storage keeps uploaded photos."""
        return self.data_dir / "files"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        file_values = _toml(env.get("ESTATE_CONFIG"))

        def setting(name: str) -> str | None:
            value = env.get(f"ESTATE_{name.upper()}") or file_values.get(name)
            return str(value).strip() if value else None

        data_dir = Path(setting("data_dir") or "./var").resolve()
        database_url, secret_key = setting("database_url"), setting("secret_key")
        if database_url is None or secret_key is None:
            _require_usable_directory(data_dir)
        secret_key = secret_key or _stored_secret_key(data_dir)
        if len(secret_key) < SECRET_KEY_MIN_LENGTH:
            raise ConfigurationError(
                f"ESTATE_SECRET_KEY has {len(secret_key)} characters; it needs at least "
                f"{SECRET_KEY_MIN_LENGTH} (generate one with: python -c "
                '"import secrets; print(secrets.token_urlsafe(32))")'
            )
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret_key,
            upload_max_bytes=_integer(
                "upload_max_bytes", setting("upload_max_bytes"), 5 * 1024 * 1024
            ),
            session_hours=_integer("session_hours", setting("session_hours"), 24 * 30),
            public_url=(setting("public_url") or "http://127.0.0.1:8000").rstrip("/"),
            platform=platform_accounts(setting),
        )

    def environment(self) -> dict[str, str]:
        """These settings as the variables the adapters read (engine, Alembic)."""
        values = {"ESTATE_DATA_DIR": str(self.data_dir)}
        if self.database_url:
            values["ESTATE_DATABASE_URL"] = self.database_url
        return values


def _integer(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigurationError(
            f"ESTATE_{name.upper()} must be a positive whole number, not {value!r}"
        )
    return number


def _pem(setting: Callable[[str], str | None], name: str) -> str | None:
    """A PEM key from ``ESTATE_<NAME>_FILE`` (a path): keys stay out of the environment."""
    path = setting(f"{name}_file")
    return Path(path).read_text(encoding="ascii") if path else None


def platform_accounts(setting: Callable[[str], str | None]) -> Platform:
    """The service provider (``ESTATE_WECHAT_SP_*``) and ISV app (``ESTATE_ALIPAY_ISV_*``),
    each present only when all of its settings are."""
    wechat_fields = {
        "app_id": setting("wechat_sp_app_id"),
        "mch_id": setting("wechat_sp_mch_id"),
        "api_v3_key": setting("wechat_sp_api_v3_key"),
        "private_key": _pem(setting, "wechat_sp_private_key"),
        "cert_serial": setting("wechat_sp_cert_serial"),
        "wechatpay_public_key": _pem(setting, "wechat_sp_public_key"),
        "wechatpay_public_key_id": setting("wechat_sp_public_key_id"),
    }
    alipay_fields = {
        "app_id": setting("alipay_isv_app_id"),
        "app_private_key": _pem(setting, "alipay_isv_private_key"),
        "alipay_public_key": _pem(setting, "alipay_isv_alipay_public_key"),
        "seller_id": setting("alipay_isv_seller_id"),
    }
    wechat = credentials_from("wechat_v3", wechat_fields) if all(wechat_fields.values()) else None
    alipay = credentials_from("alipay", alipay_fields) if all(alipay_fields.values()) else None
    defaults = Platform()
    return Platform(
        wechat_service_provider=wechat if isinstance(wechat, WechatV3Credentials) else None,
        wechat_gateway_url=setting("wechat_gateway_url") or defaults.wechat_gateway_url,
        alipay_isv=alipay if isinstance(alipay, AlipayCredentials) else None,
        alipay_gateway_url=setting("alipay_gateway_url") or defaults.alipay_gateway_url,
    )


def _toml(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with Path(path).open("rb") as file:
            loaded = tomllib.load(file)
    except OSError as error:
        raise ConfigurationError(
            f"cannot read the config file ESTATE_CONFIG={path}: {error.strerror}"
        ) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"the config file ESTATE_CONFIG={path} is not valid TOML: {error}"
        ) from error
    section = loaded.get("estate", loaded)
    return dict(section) if isinstance(section, dict) else {}


def _require_usable_directory(data_dir: Path) -> None:
    """The data directory holds the SQLite file and the generated key: it must be a writable
    directory (created if missing)."""
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigurationError(
            f"the data directory ESTATE_DATA_DIR={data_dir} is a file, not a directory"
        )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(
            f"cannot use the data directory ESTATE_DATA_DIR={data_dir}: {error.strerror}"
        ) from error
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise ConfigurationError(
            f"the data directory ESTATE_DATA_DIR={data_dir} is not writable by this user"
        )


def _stored_secret_key(data_dir: Path) -> str:
    key_file = data_dir / SECRET_KEY_FILE
    if key_file.exists():
        try:
            return key_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(
                f"cannot read the secret key file {key_file}: restore it from its backup"
            ) from error
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    _log.warning(
        "ESTATE_SECRET_KEY is not set: generated one into %s. Back it up: without it the "
        "encrypted personal data cannot be read. Set ESTATE_SECRET_KEY in production.",
        key_file,
    )
    return key
