"""Commissioners review submitted claims through a configurable flow of steps."""
