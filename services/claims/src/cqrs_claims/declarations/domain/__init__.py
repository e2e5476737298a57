"""The declaration state machine: pure decisions over a readable table."""
