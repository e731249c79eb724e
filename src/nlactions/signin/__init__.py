"""Web sign-in for local users: passwords, the sign-in page, the session's user and current account."""
