"""Allocated Reports: a parent lets a descendant report on some of its Quality Services."""
