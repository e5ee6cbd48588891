"""HTTP routes of reservations: hold units of a store's stock, read, commit, release."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.reservations.schemas import ReservationCreate, ReservationOut
from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import

reservations = lazy_import("chalicelib.catalog.reservations.services")

bp = Blueprint(__name__)


def _replay(reservation_id: str) -> ReservationOut:
    """What a repeated create answers: the reservation as it is now."""
    return reservations.reservation_out(reservations.load_reservation(reservation_id))


@route(bp, "POST", "/reservations", summary="Hold units of a store's stock (all or nothing)", body=ReservationCreate,
       response=ReservationOut, status=201, permission="stock.reserve", message=msg.RESERVATION_CREATED,
       replay=_replay)
def create_reservation(req: Req) -> ReservationOut:
    return reservations.reservation_out(reservations.create_reservation(req.body, actor=req.principal))


@route(bp, "GET", "/reservations/{reservation_id}", summary="Read a reservation", response=ReservationOut,
       permission="stock.reserve")
def get_reservation(req: Req, reservation_id: str) -> ReservationOut:
    return reservations.reservation_out(reservations.get_reservation(reservation_id, actor=req.principal))


@route(bp, "POST", "/reservations/{reservation_id}/commit", summary="Commit a reservation: its units leave the stock",
       response=ReservationOut, permission="stock.reserve", message=msg.RESERVATION_COMMITTED)
def commit_reservation(req: Req, reservation_id: str) -> ReservationOut:
    return reservations.reservation_out(reservations.commit_reservation(reservation_id, actor=req.principal))


@route(bp, "POST", "/reservations/{reservation_id}/release", summary="Release a reservation: its units are available again",
       response=ReservationOut, permission="stock.reserve", message=msg.RESERVATION_RELEASED)
def release_reservation(req: Req, reservation_id: str) -> ReservationOut:
    return reservations.reservation_out(reservations.release_reservation(reservation_id, actor=req.principal))
