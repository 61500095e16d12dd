"""`estate sandbox`: every gateway emulator on loopback, with the keys of a demo merchant.

Every module of ``entrypoints.sandbox`` that defines a class named ``…Emulator`` is started
(WeChat Pay v3 here; v2 and Alipay join by adding their module), each on its own port. An
emulator that offers ``demo_credentials()`` opens a demo merchant; its credentials (keys in
the clear: sandbox keys, never production ones) are written to
``<data dir>/sandbox/<emulator>.json`` so staff can enter them as the company's merchant
account, with the emulator's URL as the gateway URL. An emulator with ``state()`` /
``from_state()`` starts again with the same keys, and ports are fixed (``--port`` and the ones
after it), so what staff entered stays valid across restarts. The index page links each emulator's
checkout page, where a person presses "pay" or "cancel" for an order.
"""

from __future__ import annotations

import argparse
import html
import importlib
import inspect
import json
import os
import pkgutil
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import attrs
from litestar import Litestar, MediaType, Response, get

from entrypoints import sandbox
from entrypoints.config import Settings
from entrypoints.sandbox.server import LOOPBACK, serving

INDEX = (
    "<!doctype html><meta charset=utf-8><title>estate sandbox</title>"
    "<h1>支付沙箱 payment sandbox</h1><ul>{rows}</ul>"
)


@attrs.frozen(kw_only=True)
class RunningEmulator:
    name: str
    url: str
    checkout_url: str | None
    credentials_file: Path | None


def emulator_classes() -> dict[str, type[Any]]:
    """Every ``…Emulator`` class defined in a module of ``entrypoints.sandbox``."""
    found: dict[str, type[Any]] = {}
    for module_info in pkgutil.iter_modules(sandbox.__path__):
        module = importlib.import_module(f"{sandbox.__name__}.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if name.endswith("Emulator") and value.__module__ == module.__name__:
                found[module_info.name] = value
    return found


def _write_private(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(value, file, ensure_ascii=False, indent=2)


def _emulator(directory: Path, name: str, emulator_class: type[Any]) -> Any:
    """The emulator with the keys of its last run (``from_state``), or with new ones."""
    saved = directory / f"{name}.state.json"
    if saved.exists() and hasattr(emulator_class, "from_state"):
        return emulator_class.from_state(json.loads(saved.read_text(encoding="utf-8")))
    return emulator_class()


def _save_credentials(directory: Path, name: str, emulator: Any) -> Path | None:
    if not hasattr(emulator, "demo_credentials"):
        return None
    path = directory / f"{name}.json"
    documents = [credentials.to_document() for credentials in emulator.demo_credentials()]
    _write_private(path, documents)
    if hasattr(emulator, "state"):
        _write_private(directory / f"{name}.state.json", emulator.state())
    return path


def _index(running: list[RunningEmulator]) -> Litestar:
    @get("/", sync_to_thread=False)
    def index() -> Response[str]:
        rows = "".join(
            f"<li><b>{html.escape(e.name)}</b> at <code>{html.escape(e.url)}</code>"
            + (f' — <a href="{html.escape(e.checkout_url)}">checkout</a>' if e.checkout_url else "")
            + (
                f" — keys in <code>{html.escape(str(e.credentials_file))}</code>"
                if e.credentials_file
                else ""
            )
            + "</li>"
            for e in running
        )
        return Response(INDEX.format(rows=rows), media_type=MediaType.HTML)

    return Litestar(route_handlers=[index])


@contextmanager
def running_sandbox(
    settings: Settings, host: str = LOOPBACK, port: int = 0
) -> Iterator[tuple[str, list[RunningEmulator]]]:
    """Start the index page on ``port`` and the emulators on the ports after it (0: any free
    ports), with the keys of the last run: what staff entered stays valid across restarts."""
    keys = settings.data_dir / "sandbox"
    running: list[RunningEmulator] = []
    with ExitStack() as stack:
        for number, (name, emulator_class) in enumerate(sorted(emulator_classes().items())):
            emulator = _emulator(keys, name, emulator_class)
            own_port = port + 1 + number if port else 0
            url = stack.enter_context(serving(emulator.app(), host=host, port=own_port))
            checkout = getattr(emulator, "checkout_path", None)
            running.append(
                RunningEmulator(
                    name=name,
                    url=url,
                    checkout_url=f"{url}{checkout}" if checkout else None,
                    credentials_file=_save_credentials(keys, name, emulator),
                )
            )
        index_url = stack.enter_context(serving(_index(running), host=host, port=port))
        yield index_url, running


def run_sandbox(args: argparse.Namespace) -> int:
    settings = Settings.load()
    with running_sandbox(settings, args.host, args.port) as (index_url, running):
        print(f"payment sandbox: {index_url}")
        for emulator in running:
            print(f"  {emulator.name}: gateway URL {emulator.url}")
            if emulator.checkout_url:
                print(f"    checkout page (pay / cancel): {emulator.checkout_url}")
            if emulator.credentials_file:
                print(f"    demo merchant keys: {emulator.credentials_file}")
        print("Ctrl-C stops the sandbox.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("sandbox stopped")
    return 0


def add_sandbox_command(commands: Any) -> None:
    command = commands.add_parser(
        "sandbox", help="start the payment gateway emulators and their checkout page"
    )
    command.add_argument("--host", default=LOOPBACK, help="address to listen on")
    command.add_argument("--port", type=int, default=8700, help="port of the index page")
    command.set_defaults(run=run_sandbox)
