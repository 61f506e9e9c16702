"""A bot's process shapes around one ``DatabaseLogHandler``, run in a fresh interpreter by
``test_log_process_shapes.py``: ``python -m tests.reliability.log_process_shapes SHAPE URL SPILL``.

Every record carries ``extra={"who": ..., "n": ...}``; the test counts them in the table.
The processes end as bots do: returning from main (fork), leaving ``with Pool()`` (which
terminates the workers with SIGTERM), or being sent SIGTERM (``sigterm``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time

from gal_friday.persistence.logwriter.handler import DatabaseLogHandler

PARENT_RECORDS = 100
CHILD_RECORDS = 1_000
POOL_TASKS = 8
SIGTERM_RECORDS = 5_000
LOGGER = "gf.shapes"


def make_handler(url: str, spill: str, **options: object) -> DatabaseLogHandler:
    handler = DatabaseLogHandler(url, spill_path=spill, **options)  # type: ignore[arg-type]
    logger = logging.getLogger(LOGGER)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return handler


def log(who: str, count: int) -> None:
    logger = logging.getLogger(LOGGER)
    for n in range(count):
        logger.info("%s %d", who, n, extra={"who": who, "n": n})


def pool_setup(url: str, spill: str) -> None:
    """A pool initializer: a spawned or forkserver worker makes its own handler."""
    if not logging.getLogger(LOGGER).handlers:
        make_handler(url, spill, flush_interval=60.0, batch_size=100_000, queue_size=100_000)


def pool_task(task: int) -> int:
    log(f"task{task}", CHILD_RECORDS)
    return task


def fork_shape(url: str, spill: str) -> None:
    make_handler(url, spill, flush_interval=0.05)
    log("parent-before", PARENT_RECORDS)
    pid = os.fork()
    if pid == 0:
        log("child", CHILD_RECORDS)
        return  # the child ends as a script does: returning from main (atexit runs)
    _, status = os.waitpid(pid, 0)
    log("parent-after", PARENT_RECORDS)
    print(f"child exit {os.waitstatus_to_exitcode(status)}", flush=True)


def pool_shape(url: str, spill: str, method: str) -> None:
    context = multiprocessing.get_context(method)
    if method == "fork":  # the workers inherit the parent's handler
        make_handler(url, spill, flush_interval=0.05)
        log("parent-before", PARENT_RECORDS)
    with context.Pool(4, initializer=pool_setup, initargs=(url, spill)) as pool:
        assert sorted(pool.map(pool_task, range(POOL_TASKS))) == list(range(POOL_TASKS))
    # leaving the with block terminates the workers (SIGTERM), their records still queued


def sigterm_shape(url: str, spill: str) -> None:
    handler = make_handler(url, spill, flush_interval=60.0, batch_size=100_000)
    print(f"installed {handler.install_sigterm_flush()}", flush=True)
    log("queued", SIGTERM_RECORDS)
    print("ready", flush=True)  # the test sends SIGTERM now; the records are still queued
    time.sleep(120)


def sigterm_during_close_shape(url: str, spill: str) -> None:
    handler = make_handler(url, spill, flush_interval=60.0, batch_size=100_000)
    handler.install_sigterm_flush()
    log("closing", SIGTERM_RECORDS)
    write = handler._write

    def slow_write(*, fresh: bool) -> None:
        time.sleep(1.0)  # the test sends SIGTERM while close() waits for this write
        write(fresh=fresh)

    handler._write = slow_write  # type: ignore[method-assign]
    print("closing", flush=True)
    handler.close()  # the application closes its handler while it still runs
    print(f"closed {handler.written}", flush=True)
    time.sleep(120)  # the SIGTERM held back during close() ends the process now


if __name__ == "__main__":
    shape, url_arg, spill_arg = sys.argv[1:4]
    if shape == "fork":
        fork_shape(url_arg, spill_arg)
    elif shape.startswith("pool-"):
        pool_shape(url_arg, spill_arg, shape.removeprefix("pool-"))
    elif shape == "sigterm":
        sigterm_shape(url_arg, spill_arg)
    elif shape == "sigterm-during-close":
        sigterm_during_close_shape(url_arg, spill_arg)
    else:
        raise SystemExit(f"unknown shape {shape}")
