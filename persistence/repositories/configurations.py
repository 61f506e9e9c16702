"""Configuration versions: stored once per content hash, at most one active."""

from __future__ import annotations

from sqlalchemy import select, update

from gal_friday.domain import (
    Configuration,
)
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t


class ConfigurationRepository(Repository):
    """Configuration versions: stored once per content hash, at most one active."""

    def get_by_hash(self, config_hash: str) -> Configuration | None:
        """The version with this content hash."""
        stmt = select(Configuration).where(t.configurations.c.config_hash == config_hash)
        return self.session.scalars(stmt).one_or_none()

    def add(self, config: Configuration) -> Configuration:
        """Store ``config`` unless its content is already stored; return the stored version."""
        existing = self.get_by_hash(config.config_hash)
        if existing is not None:
            return existing
        self.session.add(config)
        return config

    def active(self) -> Configuration | None:
        """The active version, if any."""
        stmt = select(Configuration).where(t.configurations.c.is_active.is_(True))
        return self.session.scalars(stmt).one_or_none()

    def activate(self, config: Configuration) -> Configuration:
        """Make ``config`` (stored if new) the only active version, in this transaction."""
        stored = self.add(config)
        self.session.flush()
        self.session.execute(
            update(t.configurations)
            .where(
                t.configurations.c.is_active.is_(True),
                t.configurations.c.config_pk != stored.config_pk,
            )
            .values(is_active=False)
            .execution_options(synchronize_session="fetch")
        )
        stored.is_active = True
        self.session.flush()
        return stored

    def all(self) -> list[Configuration]:
        """Every version, oldest first."""
        return self._all(select(Configuration).order_by(t.configurations.c.config_pk))
