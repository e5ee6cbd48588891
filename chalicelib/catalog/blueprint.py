"""The products domain's Blueprint (products, options, values and variants routes register on it)."""
from chalice import Blueprint

bp = Blueprint("chalicelib.catalog.products.routes")
