"""Bringing people in: registration, Pending Actions, invitations, access requests, completion."""
