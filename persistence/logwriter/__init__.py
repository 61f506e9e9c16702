"""logwriter."""
