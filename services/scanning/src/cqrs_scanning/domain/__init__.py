"""Pure scanning rules: verdicts, file types, archives, NHS numbers; no I/O."""
