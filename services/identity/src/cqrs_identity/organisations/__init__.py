"""Organisations, their tree, dated PCN relationships, the CSV import and the relationship report."""
