"""nlactions: a self-hostable server that speaks Zapier's AI Actions API."""

__version__ = "0.1.0"
