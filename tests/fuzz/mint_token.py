"""Print an admin access token for the `make run` stack whose DynamoDB endpoint is in the environment (used when
the API has no POST /auth/login yet): an admin account made by the account service, then start_session."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    from chalicelib.identity.accounts import new_account
    from chalicelib.identity.sessions import start_session

    tx, user = new_account("Fuzz Admin", "fuzz-admin@example.com", "ChangeMe123!", ["admin"])
    tx.commit()
    print(start_session(user).access_token)


if __name__ == "__main__":
    main()
