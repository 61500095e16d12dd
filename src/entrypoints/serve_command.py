"""`estate serve --host --port --workers` (DESIGN.md §10): the web service under uvicorn.

The database is brought to the latest schema first, so a fresh data directory serves at once.
``--demo`` is what ``make run`` does: it also loads the demo company when it is not there yet,
starts the payment sandbox (every gateway emulator, ``estate sandbox``) in this process and one
``estate worker`` process beside it, and prints the URLs and the demo logins; Ctrl-C stops all
of them. SMS codes are written to the log (the console sender), at INFO.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from entrypoints.bootstrap import upgrade_database
from entrypoints.config import Settings
from entrypoints.container import Container, build_container
from entrypoints.demo import LOGINS, run_demo
from entrypoints.http.app import create_app
from entrypoints.sandbox_command import running_sandbox

SANDBOX_PORT = 8700


@contextmanager
def _worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """``estate worker`` beside the web service; SIGTERM lets it finish the job in hand."""
    worker = subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "worker"])
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        worker.wait()


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.load()
    upgrade_database(settings)
    container = build_container(settings)
    if not args.demo:
        return _run(args, container, [])
    run_demo(container.estate(), say=lambda line: None)
    with (
        running_sandbox(settings, port=SANDBOX_PORT) as (sandbox_url, emulators),
        _worker_process(),
    ):
        lines = [f"  payment sandbox  {sandbox_url}"]
        lines += [f"    {emulator.name:<14} {emulator.url}" for emulator in emulators]
        lines.append(
            "  worker           estate worker (outbox, scheduled jobs), in its own process"
        )
        return _run(args, container, lines)


def _run(args: argparse.Namespace, container: Container, beside: list[str]) -> int:
    logging.getLogger("estate").setLevel(logging.INFO)
    base = f"http://{args.host}:{args.port}"
    lines = [
        f"estate is serving on {base}",
        f"  resident portal  {base}/h5",
        f"  staff console    {base}/console",
        f"  API              {base}/api/v1",
        f"  OpenAPI UI       {base}/schema   (Swagger: {base}/schema/swagger)",
        f"  OpenAPI document {base}/schema/openapi.json",
        f"  health           {base}/healthz   {base}/readyz",
        *beside,
    ]
    if args.demo:
        lines += list(LOGINS)
    lines.append("Ctrl-C stops the service.")
    print("\n".join(lines), flush=True)
    options: dict[str, Any] = {"host": args.host, "port": args.port, "log_level": "info"}
    if args.workers > 1:
        uvicorn.run("entrypoints.http.asgi:app", workers=args.workers, **options)
    else:
        uvicorn.run(create_app(container), **options)
    return 0


def add_serve_command(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the web service (resident and staff APIs)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo company if it is not there, start the payment sandbox and a worker",
    )
    serve.set_defaults(run=_serve)
