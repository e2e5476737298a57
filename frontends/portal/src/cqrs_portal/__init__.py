"""cqrs_portal: the NHS.UK-styled web portal of CQRS, a client of the gateway's public API."""
