"""The emails identity sends itself because they carry a secret (registration completion,
invitation and password-reset links): queued from identity's own events, rendered at send time."""
