"""Logging in: passwords, throttling, access and refresh tokens, the signing keys."""
