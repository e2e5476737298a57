"""What every CQRS service shares, written once: settings, logs, broker, outbox, consumers, stores, auth."""
