"""fastpath."""
