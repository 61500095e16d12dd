"""`estate worker` and `estate jobs list|retry|stats` (DESIGN.md §10).

`estate jobs` is the platform operator's view of every tenant's dead letters; staff of one
tenant reach the same use cases (``estate_core.shared.jobs``) through the HTTP API.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from uuid import UUID

from adapters.persistence.sqlalchemy import database_url, make_engine
from adapters.persistence.sqlalchemy.queue import SqlWorkQueue
from entrypoints.bootstrap import upgrade_database
from entrypoints.config import Settings
from entrypoints.worker.compose import build_worker, queue_health, worker_id
from entrypoints.worker.config import WorkerConfig
from estate_core.shared.clock import SystemClock
from estate_core.shared.jobs import QueueKind


def log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    worker_log = logging.getLogger("estate.worker")
    worker_log.addHandler(handler)
    worker_log.setLevel(logging.INFO)
    worker_log.propagate = False


def _worker(args: argparse.Namespace) -> int:
    settings = Settings.load()
    upgrade_database(settings)
    log_to_stderr()
    worker = build_worker(settings)
    return worker.runner.run(until_idle=args.until_idle)


def _queue() -> SqlWorkQueue:
    settings = Settings.load()
    upgrade_database(settings)
    lease = WorkerConfig().settings().lease
    return SqlWorkQueue(make_engine(database_url(settings.environment())), worker_id(), lease)


def _list(args: argparse.Namespace) -> int:
    letters = _queue().dead_letters(args.tenant, args.limit)
    for letter in letters:
        print(
            f"{letter.kind.value}\t{letter.tenant_id}\t{letter.id}\t{letter.name}\t"
            f"{letter.attempts} attempts\t{letter.failed_at.isoformat()}\t{letter.last_error}"
        )
    print(f"{len(letters)} dead letters", file=sys.stderr)
    return 0


def _retry(args: argparse.Namespace) -> int:
    if not _queue().retry(args.tenant, QueueKind(args.kind), args.id, SystemClock().now()):
        print(f"no dead {args.kind} {args.id} in tenant {args.tenant}", file=sys.stderr)
        return 1
    print(f"{args.kind} {args.id} queued again")
    return 0


def _stats(args: argparse.Namespace) -> int:
    settings = Settings.load()
    upgrade_database(settings)
    stats = queue_health(make_engine(database_url(settings.environment())), SystemClock().now())
    print(
        json.dumps(
            {
                "depth": stats.depth,
                "oldest_age_seconds": stats.oldest_age_seconds,
                "dead_letters": stats.dead_letters,
            }
        )
    )
    return 0


def add_worker_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `estate worker` and `estate jobs list|retry|stats`."""
    worker = commands.add_parser("worker", help="dispatch the outbox and run scheduled jobs")
    worker.add_argument(
        "--until-idle", action="store_true", help="exit 0 once nothing is due (batch use, tests)"
    )
    worker.set_defaults(run=_worker)
    jobs = commands.add_parser("jobs", help="the worker's dead letters and queue")
    actions = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = actions.add_parser("list", help="dead letters, oldest failure first")
    listing.add_argument("--tenant", type=UUID, default=None, help="one tenant only")
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(run=_list)
    retry = actions.add_parser("retry", help="queue a dead letter again")
    retry.add_argument("kind", choices=[kind.value for kind in QueueKind])
    retry.add_argument("id", type=UUID)
    retry.add_argument("--tenant", type=UUID, required=True, help="property company id")
    retry.set_defaults(run=_retry)
    stats = actions.add_parser("stats", help="queue depth, oldest age, dead letters (JSON)")
    stats.set_defaults(run=_stats)
