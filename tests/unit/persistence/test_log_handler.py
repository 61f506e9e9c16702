"""gal_friday.persistence.log_handler: the handler's old import path and first name still work."""

from __future__ import annotations

import logging.config

from gal_friday.persistence import log_handler
from gal_friday.persistence.logwriter import handler


def test_the_old_name_is_the_same_class():
    assert handler.AsyncPostgresHandler is handler.DatabaseLogHandler


def test_the_old_path_exports_the_public_names():
    assert log_handler.DatabaseLogHandler is handler.DatabaseLogHandler
    assert log_handler.AsyncPostgresHandler is handler.DatabaseLogHandler
    assert log_handler.INTERNAL_LOGGER == handler.INTERNAL_LOGGER == "galfriday.log_handler"


def test_dict_config_resolves_every_spelling():
    resolve = logging.config.BaseConfigurator({}).resolve
    for name in (
        "gal_friday.persistence.logwriter.handler.DatabaseLogHandler",
        "gal_friday.persistence.logwriter.handler.AsyncPostgresHandler",
        "gal_friday.persistence.log_handler.DatabaseLogHandler",
        "gal_friday.persistence.log_handler.AsyncPostgresHandler",
    ):
        assert resolve(name) is handler.DatabaseLogHandler
