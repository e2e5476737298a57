"""The review flow and its decisions, pure."""
