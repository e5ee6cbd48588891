"""Authentication use cases: register, log in, refresh, log out, who am I."""
from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.errors import Unauthenticated, ValidationFailed, field_error
from chalicelib.core.i18n import T
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx, TxCancelled, UniqueValue
from chalicelib.identity.accounts import new_account
from chalicelib.identity.authn import Principal
from chalicelib.identity.models import SessionItem, UserItem
from chalicelib.identity.passwords import dummy_hash, verify_password
from chalicelib.identity.schemas import RegisterIn
from chalicelib.identity.services import login_limits
from chalicelib.identity.sessions import TokenPair, new_session

EMAIL_TAKEN = T("Cette adresse e-mail est déjà utilisée.", "This e-mail address is already taken.")
INVALID_CREDENTIALS = T("Identifiants invalides", "Invalid credentials")
INVALID_REFRESH = T("Jeton de rafraîchissement invalide ou expiré", "Invalid or expired refresh token")
SPENT_HASHES_KEPT = 32


@dataclass(frozen=True)
class Authenticated:
    user: UserItem
    tokens: TokenPair


def email_taken() -> ValidationFailed:
    """422 on the `email` field, like every other taken unique value (slugs, SKUs): forms show it by the field."""
    return field_error("email", EMAIL_TAKEN)


def register(data: RegisterIn) -> Authenticated:
    """Create a customer account and its first session in one transaction (the e-mail reservation decides races)."""
    tx, user = new_account(data.name, data.email, data.password, ["customer"])
    session, tokens = new_session(user)
    tx.create(session, label="session")
    try:
        tx.commit(created_id=user.id)  # spends the Idempotency-Key, if any, in the same transaction
    except TxCancelled as exc:
        if "email" in exc.failed:
            raise email_taken() from None
        raise
    return Authenticated(user, tokens)


def resume_registration(user_id: str) -> Authenticated:
    """A register retried with its Idempotency-Key (same body, so same password): the account as it is now
    and a fresh session, since the first response's tokens are stored nowhere."""
    from chalicelib.identity.sessions import start_session

    try:
        user = UserItem.get(*keys.user_key(user_id), consistent_read=True)
    except UserItem.DoesNotExist:
        raise Unauthenticated(INVALID_CREDENTIALS) from None
    if user.deleted_at or not user.is_active:
        raise Unauthenticated(INVALID_CREDENTIALS)
    return Authenticated(user, start_session(user))


def login(email: str, password: str, *, client_ip: str) -> Authenticated:
    """Check the credentials within the failed-login limits; start a session.

    Calls: one BatchGetItem (e-mail reservation + both limit windows), one GetItem (the user; a user that
    cannot exist when the e-mail is unknown), one write (the session, or the failure count)."""
    email = email.lower()
    windows_wanted = login_limits.window_keys(email, client_ip)
    reservation_key = keys.unique_key("email", email)
    found = batch_get([reservation_key, *windows_wanted])
    current = login_limits.windows(found, windows_wanted)
    login_limits.refuse_if_exhausted(current)
    user = _owner_of(found.get(reservation_key))
    # Unknown e-mail: verify against a dummy hash anyway, so both failures cost the same time.
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if not valid or user is None or user.deleted_at or not user.is_active:
        login_limits.record_failure(current)
        raise Unauthenticated(INVALID_CREDENTIALS)
    session, tokens = new_session(user)
    if current[0].failures:
        tx = Tx()
        tx.create(session, label="session")
        login_limits.forget_email_failures(tx, current)
        tx.commit()
    else:
        session.save()
    return Authenticated(user, tokens)


# Read in place of the owner when the e-mail is unknown: no user has this id (ids are ULIDs).
NOBODY = "-"


def _owner_of(reservation: object) -> UserItem | None:
    """The reservation's owner, by one GetItem; an unknown e-mail reads a user that cannot exist, so a
    failed login costs the same calls (and about the same time) whether or not the address is known."""
    owner_id = reservation.owner_id if isinstance(reservation, UniqueValue) and reservation.owner_id else NOBODY
    try:
        return UserItem.get(*keys.user_key(owner_id), consistent_read=True)
    except UserItem.DoesNotExist:
        return None


def refresh(refresh_token: str) -> Authenticated:
    """Rotate the refresh token (the presented one is spent); a spent one presented again revokes the session."""
    from chalicelib.identity.tokens import (
        hash_refresh_secret,
        issue_access_token,
        new_refresh_token,
        split_refresh_token,
    )

    parts = split_refresh_token(refresh_token)
    if parts is None:
        raise Unauthenticated(INVALID_REFRESH)
    user_id, session_id, secret = parts
    wanted = [keys.user_key(user_id), keys.session_key(user_id, session_id)]
    found = batch_get(wanted)
    user, session = found.get(wanted[0]), found.get(wanted[1])
    if not isinstance(user, UserItem) or not isinstance(session, SessionItem) or session.revoked_at:
        raise Unauthenticated(INVALID_REFRESH)
    presented = hash_refresh_secret(secret)
    if presented != session.refresh_hash:
        if presented in (session.spent_hashes or []):
            revoke_session(user_id, session_id)  # a replayed token leaked: end the whole login
        raise Unauthenticated(INVALID_REFRESH)
    if (user.deleted_at or not user.is_active or session.token_version != user.token_version
            or (session.expires_at or 0) <= time.time()):
        raise Unauthenticated(INVALID_REFRESH)
    token, new_hash = new_refresh_token(user_id, session_id)
    now = now_iso()
    try:
        session.update(actions=[SessionItem.refresh_hash.set(new_hash),
                                SessionItem.spent_hashes.set(([presented] + list(session.spent_hashes or []))[:SPENT_HASHES_KEPT]),
                                SessionItem.rotated_at.set(now), SessionItem.updated_at.set(now),
                                SessionItem.version.add(1)],
                       condition=(SessionItem.refresh_hash == presented) & SessionItem.revoked_at.does_not_exist())
    except UpdateError:
        # Another request spent this token first: the same token used twice is a replay.
        revoke_session(user_id, session_id)
        raise Unauthenticated(INVALID_REFRESH) from None
    access = issue_access_token(user_id, user.role_list(), session_id, user.token_version)
    from chalicelib.core.settings import get_settings

    return Authenticated(user, TokenPair(access, token, get_settings().access_token_ttl))


def revoke_session(user_id: str, session_id: str) -> None:
    """End a session: its access tokens fail at once (authn reads it) and its refresh token is dead."""
    tx = Tx()
    tx.update(SessionItem, keys.session_key(user_id, session_id),
              [SessionItem.revoked_at.set(now_iso()), SessionItem.version.add(1)],
              condition=SessionItem.pk.exists() & SessionItem.revoked_at.does_not_exist(), label="session")
    try:
        tx.commit()
    except TxCancelled:
        pass  # already revoked (or gone): the outcome the caller wants


def logout(principal: Principal) -> None:
    """Revoke the caller's current session."""
    revoke_session(principal.user_id, principal.session_id)
