"""Store a configuration version and make it the active one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gal_friday.domain import Configuration
from gal_friday.services.ports import UnitOfWorkFactory


def activate_configuration(
    uow_factory: UnitOfWorkFactory, content: Mapping[str, Any]
) -> Configuration:
    """Store ``content`` unless its hash is known, activate it and deactivate every other version.

    One transaction, committed.
    """
    configuration = Configuration.from_content(content)
    with uow_factory() as uow:
        active = uow.configurations.activate(configuration)
        uow.commit()
    return active
