"""A worker process for the crash and shutdown tests: the real worker, plus a ``Hold`` event.

``Hold`` is handled as a ``CouponClaimed`` (its message pushed to the console, that is this
process's stdout, and recorded), then the handler prints ``holding <event id>`` and waits for a
line on stdin before it returns: the test knows the job is in hand, half done, and decides when
it may finish (or kills the process there). Configured like ``estate worker``, by ``ESTATE_*``.
"""

from __future__ import annotations

import logging
import sys

from entrypoints.worker.commands import log_to_stderr
from entrypoints.worker.compose import build_worker
from entrypoints.worker.runner import Finish, JobContext


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    log_to_stderr()
    worker = build_worker()
    message_handler = worker.runner.events["CouponClaimed"]

    def hold(context: JobContext) -> Finish | None:
        finish = message_handler(context)
        sys.stdout.write(f"holding {context.item.id}\n")
        sys.stdout.flush()
        sys.stdin.readline()
        return finish

    worker.runner.events["Hold"] = hold
    return worker.runner.run(until_idle="--until-idle" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
