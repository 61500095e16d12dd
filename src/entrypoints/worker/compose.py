"""Composing the worker from configuration, on top of :func:`entrypoints.bootstrap.bootstrap`.

The integrator moves this into the dependency-injector container; until then it is the one
place that builds the queue, the channels, the message and job tables and the runner.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TextIO

import attrs
from sqlalchemy.engine import Engine

from adapters.messaging.console import ConsoleChannel
from adapters.messaging.sms import SmsChannel
from adapters.messaging.wechat import PRODUCTION_BASE_URL, WechatTemplateChannel
from adapters.persistence.sqlalchemy import database_url, make_engine
from adapters.persistence.sqlalchemy.audience import SqlAudience, SqlRecipients
from adapters.persistence.sqlalchemy.deliveries import SqlDeliveries
from adapters.persistence.sqlalchemy.queue import SqlWorkQueue
from adapters.sms.tencent import PRODUCTION_ENDPOINT as TENCENT_ENDPOINT
from adapters.sms.tencent import TencentSmsSender
from entrypoints.bootstrap import Estate, bootstrap
from entrypoints.config import Settings
from entrypoints.worker.config import WorkerConfig
from entrypoints.worker.delivery import Postman
from entrypoints.worker.jobs import build_jobs
from entrypoints.worker.messages import MESSAGES, Build, Lookups
from entrypoints.worker.runner import Finish, Handler, JobContext, Runner, WorkerSettings
from entrypoints.worker.schedule import Scheduler, configured
from estate_core.identity.ports import SmsSender
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import InvalidInput
from estate_core.shared.jobs import QueueStats
from estate_core.shared.messaging import MessageChannel


def worker_id() -> str:
    """Host, process and a random tail: unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _wechat(config: WorkerConfig) -> MessageChannel:
    settings = config.wechat()
    return WechatTemplateChannel(
        app_id=settings["app_id"],
        secret=settings["secret"],
        templates=settings["templates"],
        base_url=settings.get("base_url") or PRODUCTION_BASE_URL,
    )


def _tencent(config: WorkerConfig) -> TencentSmsSender:
    settings = config.tencent_sms()
    return TencentSmsSender(
        secret_id=settings["secret_id"],
        secret_key=settings["secret_key"],
        app_id=settings["app_id"],
        sign_name=settings["sign_name"],
        code_template=settings["code_template"],
        notice_template=settings["notice_template"],
        region=settings.get("region", "ap-guangzhou"),
        endpoint=settings.get("endpoint", TENCENT_ENDPOINT),
        scheme=settings.get("scheme", "https"),
    )


def channels_named(
    names: Sequence[str],
    config: WorkerConfig,
    stream: TextIO | None = None,
    sms: SmsSender | None = None,
) -> list[MessageChannel]:
    """The push channels configured by name: ``console``, ``wechat`` and ``sms`` (urgent
    messages, through Tencent Cloud SMS when configured, else the application's sender)."""
    known: dict[str, Callable[[], MessageChannel]] = {
        "console": lambda: ConsoleChannel(stream or sys.stdout),
        "wechat": lambda: _wechat(config),
    }
    if config.sms_provider() == "tencent":
        known["sms"] = lambda: SmsChannel(_tencent(config))
    elif sms is not None:
        known["sms"] = lambda: SmsChannel(sms)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput(
            "config.invalid",
            f"unknown message channels {unknown}: this build has {sorted(known)}",
        )
    return [known[name]() for name in names]


def event_handlers(postman: Postman, audience: SqlAudience) -> dict[str, Handler]:
    """The outbox's handlers: each message-producing event's messages, delivered."""

    def handler_for(build: Build) -> Handler:
        def handle(context: JobContext) -> Finish:
            lookups = Lookups(
                estate=context.estate,
                audience=audience,
                tenant_id=context.item.tenant_id,
                today=local_date(context.now),
            )
            return postman.deliver(context, build(context.item.payload, lookups))

        return handle

    return {name: handler_for(build) for name, build in MESSAGES.items()}


def queue_health(engine: Engine, now: datetime) -> QueueStats:
    """Queue depth, age of the oldest waiting row, dead letters: for ``/readyz`` or
    ``/metrics`` of any process on the database, worker or not."""
    return SqlWorkQueue(engine, "health", timedelta(0)).stats(now)


@attrs.frozen(kw_only=True)
class Worker:
    runner: Runner
    queue: SqlWorkQueue
    estate: Estate


def build_worker(
    settings: Settings | None = None,
    config: WorkerConfig | None = None,
    *,
    clock: Clock | None = None,
    channels: Sequence[MessageChannel] | None = None,
    extra_events: Mapping[str, Handler] | None = None,
    extra_jobs: Mapping[str, Handler] | None = None,
    worker_settings: WorkerSettings | None = None,
) -> Worker:
    """The worker of the configured database: its runner, queue and application."""
    settings = settings or Settings.load()
    config = config or WorkerConfig()
    estate = bootstrap(settings, clock=clock)
    engine = make_engine(database_url(settings.environment()))
    the_settings = worker_settings or config.settings()
    queue = SqlWorkQueue(engine, worker_id(), the_settings.lease)
    if channels is None:
        channels = channels_named(config.channels(), config, sms=estate.sms)
    postman = Postman(SqlDeliveries(engine), SqlRecipients(engine), channels)
    events = event_handlers(postman, SqlAudience(engine))
    events.update(extra_events or {})
    scheduler = Scheduler(queue, configured(config))
    runner = Runner(
        queue,
        estate,
        events=events,
        jobs=build_jobs(engine, postman, extra_jobs),
        settings=the_settings,
        clock=estate.clock,
        tick=scheduler.tick,
    )
    return Worker(runner=runner, queue=queue, estate=estate)
