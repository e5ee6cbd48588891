"""HTTP routes of the identity domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)
