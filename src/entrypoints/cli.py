"""The `estate` command (DESIGN.md §10)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.engine import make_url

from entrypoints.bootstrap import bootstrap, bootstrap_in_memory, upgrade_database
from entrypoints.cli_errors import explain
from entrypoints.config import Settings
from entrypoints.demo import run_demo
from entrypoints.import_commands import add_import_commands
from entrypoints.listing_commands import add_listing_commands
from entrypoints.sandbox_command import add_sandbox_command
from entrypoints.serve_command import add_serve_command
from entrypoints.worker.commands import add_worker_commands


def _demo(args: argparse.Namespace) -> int:
    if args.in_memory:
        run_demo(bootstrap_in_memory())
        return 0
    settings = Settings.load()
    url = make_url(upgrade_database(settings))
    print(f"Database: {url.render_as_string(hide_password=True)}")
    run_demo(bootstrap(settings))
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    url = make_url(upgrade_database(Settings.load()))
    print(f"database at the latest schema: {url.render_as_string(hide_password=True)}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="estate", description=__doc__)
    root.add_argument(
        "--debug", action="store_true", help="show the traceback of an error, not one sentence"
    )
    commands = root.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="load a demo property company into the database and walk through the core"
    )
    demo.add_argument(
        "--in-memory", action="store_true", help="keep nothing: run on the in-memory adapters"
    )
    demo.set_defaults(run=_demo)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="create or migrate the database")
    db_upgrade.set_defaults(run=_db_upgrade)
    add_import_commands(commands)
    add_listing_commands(commands)
    add_serve_command(commands)
    add_worker_commands(commands)
    add_sandbox_command(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except Exception as error:
        sentence = None if args.debug else explain(error)
        if sentence is None:
            raise
        print(f"estate: {sentence}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
