"""Existing users: accounts, roles and the role-grant matrix, revoke, enable, disable, audit."""
