"""The v1 (NLA) API as a thin adapter over the stored AI action and execute services."""
