"""Bulk claims: a commissioner claims for several providers with one workbook."""
