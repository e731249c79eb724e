"""Discovery: apps, actions, needs and gives in Zapier's v2 shapes, and relevance search over them."""
