"""Identity items of the single table: users, e-mail reservations, sessions, roles, role memberships."""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from chalicelib.core.table import Entity


class UserItem(Entity, discriminator="user"):
    """A user account. Bumping `token_version` (password change) voids every token and session issued before."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    roles = UnicodeSetAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    deleted_at = UnicodeAttribute(null=True)
    token_version = NumberAttribute(default=1)

    def role_list(self) -> list[str]:
        return sorted(self.roles or [])


class SessionItem(Entity, discriminator="session"):
    """One login: the hash of its current refresh token; `revoked_at` ends it (logout, reuse of a spent token)."""

    id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    refresh_hash = UnicodeAttribute()
    token_version = NumberAttribute(default=1)  # the user's token_version when the session began
    revoked_at = UnicodeAttribute(null=True)
    rotated_at = UnicodeAttribute(null=True)
    # Hashes of the last refresh tokens this session handed out and saw spent: presenting one again is
    # a replay (the token leaked), which revokes the session. Bounded so the item stays small.
    spent_hashes = ListAttribute(of=UnicodeAttribute, null=True)


class RoleItem(Entity, discriminator="role"):
    """A role and its permissions (built-in roles are seeded and read-only)."""

    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    permissions = UnicodeSetAttribute(null=True)
    builtin = BooleanAttribute(default=False)


class RoleMembershipItem(Entity, discriminator="role_membership"):
    """user × role, so `GET /users?role=` is a Query on gsi1 (all) or gsi2 (live/trashed).

    `user` is a copy of the user's public fields, rewritten in every transaction that changes the user,
    so a filtered list page is one Query (no BatchGetItem of the users behind it).
    """

    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    user = JSONAttribute(null=True)


class RateWindowItem(Entity, discriminator="rate_window"):
    """Failed attempts of one subject (an e-mail, an IP) in one fixed window; expires with the window (TTL)."""

    failures = NumberAttribute(default=0)
