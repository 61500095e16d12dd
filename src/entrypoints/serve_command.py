"""`estate serve --host --port --workers` (DESIGN.md §10): the web service under uvicorn.

The database is brought to the latest schema first, so a fresh data directory serves at once.
``--demo`` also loads the demo company when it is not there yet and prints its logins, which
is what ``make run`` does. SMS codes are written to the log (the console sender), at INFO.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import uvicorn

from entrypoints.bootstrap import upgrade_database
from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.demo import LOGINS, run_demo
from entrypoints.http.app import create_app


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.load()
    upgrade_database(settings)
    container = build_container(settings)
    if args.demo:
        run_demo(container.estate(), say=lambda line: None)
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
        "--demo", action="store_true", help="load the demo company first if it is not there"
    )
    serve.set_defaults(run=_serve)
