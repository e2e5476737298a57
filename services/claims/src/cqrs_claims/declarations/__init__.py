"""Declarations: the provider declares its calculated achievement, the commissioner approves it."""
