"""The reservation sweep as a deployed function of its own, with no route: a schedule runs it every minute
(infra/functions.json "lambda_functions"; `make run` runs the same sweep on a timer, scripts/local_stack.py).
Reads already treat a reservation past its expiry as expired; the sweep writes the `expired` movements and
clears the holds, for reservations whose stock entries no write has touched since."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib.core.lazy import lazy_import

# Loaded on first use: importing app.py (every route function's init) stays free of PynamoDB/botocore.
reservations = lazy_import("chalicelib.catalog.reservations.services")

bp = Blueprint(__name__)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="sweep_reservations", description="Expire due stock reservations")
def sweep_reservations(event: Any) -> dict[str, int]:
    """The scheduled event carries nothing the sweep needs: it expires what is due now."""
    return reservations.sweep()
