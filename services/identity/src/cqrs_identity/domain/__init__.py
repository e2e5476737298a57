"""Pure identity rules: organisations, relationships, accounts, roles, clusters, scope. No I/O."""
