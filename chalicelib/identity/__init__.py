"""Identity: authentication, sessions, roles and permissions, users' accounts."""
