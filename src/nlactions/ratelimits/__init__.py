"""Rate limits: per API key and per account budgets for executes and reads, and failed-auth throttling."""
