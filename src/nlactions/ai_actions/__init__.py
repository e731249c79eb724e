"""Stored AI actions: pre-configured actions a caller runs by id."""
