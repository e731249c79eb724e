"""nlactions as an OAuth2 authorization server for callers: clients, codes, tokens and discovery (on authlib)."""
