"""cqrsctl: what an operator reaches for at 3 a.m."""
