"""Pure achievement rules and arithmetic: no I/O, exact numbers only."""
