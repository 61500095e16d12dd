"""From dependency-injector providers to Litestar's own dependencies.

dependency-injector's ``@inject`` wiring does not work inside Litestar handlers, so each
provider the handlers need becomes a ``Provide`` under a name (CONVENTIONS.md "Entrypoints").
"""

from __future__ import annotations

from typing import Any

from dependency_injector import providers
from litestar.di import Provide


def provide(provider: providers.Provider[Any]) -> Provide:
    """A Litestar dependency that asks ``provider`` on every request (singletons stay single)."""

    def dependency() -> Any:
        return provider()

    return Provide(dependency, use_cache=False, sync_to_thread=False)
