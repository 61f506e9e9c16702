"""migrating."""
