"""Identity use cases: authentication (auth.py), failed-login limits (login_limits.py), roles (roles.py)."""
