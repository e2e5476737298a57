"""What every CQRS service shares, written once: settings, logging, broker, outbox, consumers, stores, auth."""
