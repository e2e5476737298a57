"""The pure rules of claims: money, claim windows, the claim state table, submission."""
