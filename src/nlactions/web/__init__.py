"""HTTP plumbing the server-rendered pages share: templates, security headers, the session cookie, CSRF."""
