"""The worker's settings: ``ESTATE_WORKER_*`` variables, then the ``[worker]`` table of the TOML
file named by ``ESTATE_CONFIG`` (``[estate.worker]`` also works), then defaults.

The schedule is configured per job in ``[worker.schedule.<job>]`` (or
``ESTATE_SCHEDULE_<JOB>_<KEY>``): see docs/worker.md for every key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from entrypoints.worker.runner import WorkerSettings
from estate_core.shared.errors import InvalidInput
from estate_core.shared.jobs import RetryPolicy


def _root_table(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("ESTATE_CONFIG")
    if not path:
        return {}
    with Path(path).open("rb") as file:
        loaded = tomllib.load(file)
    root = loaded.get("estate", loaded)
    return dict(root) if isinstance(root, dict) else {}


def _table(root: Mapping[str, Any], name: str) -> dict[str, Any]:
    table = root.get(name, {})
    return dict(table) if isinstance(table, dict) else {}


TENCENT_KEYS = (
    "secret_id",
    "secret_key",
    "app_id",
    "sign_name",
    "code_template",
    "notice_template",
)
TENCENT_OPTIONAL = ("region", "endpoint", "scheme")


class WorkerConfig:
    """Raw worker configuration, read once; typed accessors below."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if environ is None else environ
        root = _root_table(self.env)
        self.table = _table(root, "worker")
        self.sms_table = _table(root, "sms")

    def value(self, name: str, default: Any) -> Any:
        raw = self.env.get(f"ESTATE_WORKER_{name.upper()}")
        return raw if raw not in (None, "") else self.table.get(name, default)

    def number(self, name: str, default: float) -> float:
        raw = self.value(name, default)
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise InvalidInput(
                "config.invalid", f"worker setting {name} must be a number, got {raw!r}"
            ) from None

    def settings(self) -> WorkerSettings:
        seconds = self.number
        return WorkerSettings(
            batch=int(seconds("batch", 50)),
            lease=timedelta(seconds=seconds("lease_seconds", 60)),
            heartbeat=timedelta(seconds=seconds("heartbeat_seconds", 20)),
            idle_wait=timedelta(seconds=seconds("idle_seconds", 1)),
            retry=RetryPolicy(
                max_attempts=int(seconds("max_attempts", 8)),
                base_delay=timedelta(seconds=seconds("retry_base_seconds", 10)),
                max_delay=timedelta(seconds=seconds("retry_max_seconds", 3600)),
            ),
        )

    def channels(self) -> list[str]:
        """Push channels by name, comma-separated: ``console`` by default, empty for none."""
        raw = self.value("channels", "console")
        names = raw if isinstance(raw, list) else str(raw).split(",")
        return [name.strip() for name in names if name.strip()]

    def wechat(self) -> dict[str, Any]:
        """The official account of the ``wechat`` channel: ``app_id``, ``secret``, ``base_url``
        and ``templates`` (message kind → template id), from ``[worker.wechat]`` or
        ``ESTATE_WORKER_WECHAT_*`` (templates there as ``kind=id,kind=id``)."""
        table = self.table.get("wechat", {})
        values: dict[str, Any] = dict(table) if isinstance(table, dict) else {}
        for key in ("app_id", "secret", "base_url", "templates"):
            raw = self.env.get(f"ESTATE_WORKER_WECHAT_{key.upper()}")
            if raw:
                values[key] = raw
        templates = values.get("templates", {})
        if isinstance(templates, str):
            pairs = (pair.split("=", 1) for pair in templates.split(",") if "=" in pair)
            templates = {kind.strip(): template.strip() for kind, template in pairs}
        values["templates"] = dict(templates)
        missing = [key for key in ("app_id", "secret") if not values.get(key)]
        if missing:
            raise InvalidInput(
                "config.invalid", f"the wechat channel needs {missing} in [worker.wechat]"
            )
        return values

    def sms_provider(self) -> str:
        """``ESTATE_SMS_PROVIDER`` / ``[sms] provider``: ``console`` (default) or ``tencent``."""
        return str(self.env.get("ESTATE_SMS_PROVIDER") or self.sms_table.get("provider", "console"))

    def tencent_sms(self) -> dict[str, str]:
        """``[sms.tencent]`` or ``ESTATE_SMS_TENCENT_*``: the Tencent Cloud SMS account."""
        values = {key: str(value) for key, value in _table(self.sms_table, "tencent").items()}
        for key in TENCENT_KEYS + TENCENT_OPTIONAL:
            raw = self.env.get(f"ESTATE_SMS_TENCENT_{key.upper()}")
            if raw:
                values[key] = raw
        missing = [key for key in TENCENT_KEYS if not values.get(key)]
        if missing:
            raise InvalidInput("config.invalid", f"tencent sms needs {missing} in [sms.tencent]")
        return {key: values[key] for key in TENCENT_KEYS + TENCENT_OPTIONAL if key in values}

    def schedule(self, job: str) -> dict[str, Any]:
        """The settings of one scheduled job, the environment's over the file's."""
        table = self.table.get("schedule", {}).get(job, {})
        values = dict(table) if isinstance(table, dict) else {}
        prefix = f"ESTATE_SCHEDULE_{job.upper()}_"
        for key, raw in self.env.items():
            if key.startswith(prefix):
                values[key[len(prefix) :].lower()] = raw
        return values
