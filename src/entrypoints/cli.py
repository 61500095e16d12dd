"""The `estate` command (DESIGN.md §10)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from entrypoints.bootstrap import bootstrap_in_memory
from entrypoints.config import Settings
from entrypoints.demo import run_demo


def _demo(args: argparse.Namespace) -> int:
    run_demo(bootstrap_in_memory())
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from adapters.persistence.sqlalchemy.migrate import upgrade

    settings = Settings.load()
    os.environ.update(settings.environment())
    upgrade()
    print(f"database at the latest schema: {settings.database_url or settings.data_dir}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="estate", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="walk through the core with a demo property company")
    demo.set_defaults(run=_demo)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="create or migrate the database")
    db_upgrade.set_defaults(run=_db_upgrade)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
