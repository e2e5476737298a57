"""Pure participation rules: offers and their statuses. No I/O."""
