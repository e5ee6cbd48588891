"""Login sessions: start one (a token pair), the pieces refresh and logout build on."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from chalicelib.core import keys
from chalicelib.core.settings import get_settings
from chalicelib.core.table import now_iso
from chalicelib.identity.models import SessionItem, UserItem
from chalicelib.identity.tokens import issue_access_token, new_refresh_token


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


def new_session(user: UserItem) -> tuple[SessionItem, TokenPair]:
    """A session item to write (caller decides how) and the tokens that go with it."""
    settings = get_settings()
    session_id = secrets.token_urlsafe(16)
    refresh, refresh_hash = new_refresh_token(user.id, session_id)
    pk, sk = keys.session_key(user.id, session_id)
    now = now_iso()
    session = SessionItem(pk, sk, id=session_id, user_id=user.id, refresh_hash=refresh_hash,
                          token_version=user.token_version, created_at=now, updated_at=now,
                          expires_at=int(time.time()) + settings.refresh_token_ttl)
    access = issue_access_token(user.id, user.role_list(), session_id, user.token_version)
    return session, TokenPair(access, refresh, settings.access_token_ttl)


def start_session(user: UserItem) -> TokenPair:
    """Write a new session for `user` (one PutItem) and hand back its tokens."""
    session, tokens = new_session(user)
    session.save()
    return tokens
