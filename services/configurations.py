"""Store a configuration version and make it the active one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gal_friday.domain import Configuration
from gal_friday.services.ports import UnitOfWorkProtocol


def activate_configuration(uow: UnitOfWorkProtocol, content: Mapping[str, Any]) -> Configuration:
    """Store ``content`` unless its hash is known, activate it and deactivate every other version.

    Runs in the caller's unit of work (commit to keep it).
    """
    return uow.configurations.activate(Configuration.from_content(content))
