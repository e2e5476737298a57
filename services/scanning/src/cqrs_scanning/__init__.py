"""The scanning service."""
