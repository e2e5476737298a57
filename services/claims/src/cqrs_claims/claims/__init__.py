"""CQRS Local claims: +New Claim, building a claim, submission and system review."""
