"""The participation service."""
