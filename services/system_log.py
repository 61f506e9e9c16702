"""Write structured subsystem logs (``system_logs``) through the unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gal_friday.domain import SystemLog
from gal_friday.services.ports import UnitOfWorkFactory


def record_system_event(
    uow_factory: UnitOfWorkFactory,
    source_module: str,
    level: str,
    message: str,
    *,
    exc: BaseException | None = None,
    context: Mapping[str, Any] | None = None,
    **links: Any,
) -> SystemLog:
    """Store one system log entry (with the exception's type and stack when given); secrets in
    ``context`` are redacted. ``links`` are the contextual columns: ``trading_pair``,
    ``signal_id``, ``order_pk``."""
    if exc is not None:
        entry = SystemLog.from_exception(
            source_module, message, exc, log_level=level, context=context, **links
        )
    else:
        entry = SystemLog.create(source_module, level, message, context=context, **links)
    with uow_factory() as uow:
        uow.system_logs.add(entry)
        uow.commit()
    return entry
