"""Benchmarks: they print figures and assert nothing about speed (`make bench`)."""
