"""The drivers' own log lines about an error the command already reports in one line.

psycopg logs ``error ignored terminating <psycopg.Pipeline ...>: pipeline aborted``
when a statement in pipeline mode (its ``executemany``) fails, e.g. on a missing
privilege; with no logging configured, Python prints it to stderr above the
command's own one-line error. The command line drops exactly those records; a
program using the library keeps them in its own logging.
"""

from __future__ import annotations

import logging

_PIPELINE_NOISE = "error ignored terminating"


def _not_pipeline_noise(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(_PIPELINE_NOISE)


def quiet_driver_noise() -> None:
    """Drop psycopg's "error ignored terminating ..." records (idempotent)."""
    logger = logging.getLogger("psycopg")
    if _not_pipeline_noise not in logger.filters:
        logger.addFilter(_not_pipeline_noise)
