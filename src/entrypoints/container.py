"""The one dependency-injector container: every adapter and port of the service, built from
:class:`~entrypoints.config.Settings` (DESIGN.md §6, CONVENTIONS.md "Entrypoints").

The web app, the CLI and (later) the worker take what they need from it. With no configuration
it starts a working service: the SQLite file and uploaded photos in ``./var``, SMS codes written
to the log. The composed core is :func:`entrypoints.bootstrap.bootstrap`'s ``Estate``, so a host
that embeds estate without this container gets the same composition.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers
from sqlalchemy.engine import Engine

from adapters.files.local import LocalFileStorage
from adapters.persistence.sqlalchemy import database_url, make_engine
from adapters.persistence.sqlalchemy.auth import (
    SqlAccountDirectory,
    SqlLoginSessions,
    SqlStaffPasswords,
)
from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import bootstrap
from entrypoints.config import Settings
from estate_core.shared.clock import SystemClock


def _engine(settings: Settings) -> Engine:
    return make_engine(database_url(settings.environment()))


def _files(settings: Settings) -> LocalFileStorage:
    return LocalFileStorage(settings.files_dir)


def _session_lifetime(settings: Settings) -> timedelta:
    return timedelta(hours=settings.session_hours)


class Container(containers.DeclarativeContainer):
    """Singletons for one process; ``settings`` is the only thing a caller must provide."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(_engine, settings)
    sms = providers.Singleton(ConsoleSmsSender)
    estate = providers.Singleton(bootstrap, settings, clock=clock, engine=engine, sms=sms)
    files = providers.Singleton(_files, settings)
    login_sessions = providers.Singleton(
        SqlLoginSessions, engine, clock, providers.Callable(_session_lifetime, settings)
    )
    staff_passwords = providers.Singleton(SqlStaffPasswords, engine, clock)
    accounts = providers.Singleton(SqlAccountDirectory, engine)


def build_container(settings: Settings | None = None) -> Container:
    """The container for ``settings`` (default: ``ESTATE_*`` and the optional TOML file)."""
    return Container(settings=providers.Object(settings or Settings.load()))
