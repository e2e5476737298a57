"""Native local stack for CQRS: starts real infrastructure and the services without Docker."""
