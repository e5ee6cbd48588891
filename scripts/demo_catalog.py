"""The demo catalog of `make run DEMO=1`: three stores in two currencies, a category tree, products with an option,
variants, stock in every store and one image each, so a newcomer's first `GET /products` shows something real.

Written as a client would, over the API as the admin (every write goes through the services, their rules and the
presigned S3 upload), once the server answers. Idempotent: each create carries an Idempotency-Key, so a run that
stopped half-way resumes without duplicates (keys live 24 h), and a completed catalog is recognised by its last
product's slug and left alone."""
from __future__ import annotations

import struct
import threading
import time
import zlib
from typing import Any

import requests

STORES = [("Paris Centre", "demo-paris", "EUR"), ("Lyon Part-Dieu", "demo-lyon", "EUR"),
          ("London Soho", "demo-london", "GBP")]
CATEGORIES = [("Maison", None), ("Cuisine", "Maison"), ("Éclairage", "Maison"), ("Mode", None),
              ("Chaussures", "Mode")]
# name, category, option, [(value, sku, price)], colour of its image
PRODUCTS = [
    ("Tasse en grès", "Cuisine", "Couleur", [("Sable", "DEMO-MUG-SAB", "14.90"), ("Ardoise", "DEMO-MUG-ARD", "14.90")],
     (194, 160, 110)),
    ("Lampe de bureau Arc", "Éclairage", "Finition",
     [("Laiton", "DEMO-ARC-LAI", "89.00"), ("Noir mat", "DEMO-ARC-NOI", "79.00")], (40, 40, 40)),
    ("Couteau de chef 20 cm", "Cuisine", "Manche",
     [("Olivier", "DEMO-KNI-OLI", "65.00"), ("Ébène", "DEMO-KNI-EBE", "75.00")], (120, 90, 50)),
    ("Baskets Lin", "Chaussures", "Pointure",
     [("40", "DEMO-SNK-40", "110.00"), ("42", "DEMO-SNK-42", "110.00"), ("44", "DEMO-SNK-44", "110.00")],
     (230, 225, 210)),
]
MARKER_SLUG = "baskets-lin"  # the last product written: its presence means the catalog is complete


def png(rgb: tuple[int, int, int], size: int = 64) -> bytes:
    """A plain square PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class Client:
    """The admin over HTTP; `create` sends an Idempotency-Key derived from what it creates."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.url, self.session = url, requests.Session()
        reply = self.session.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=30)
        reply.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {reply.json()['data']['access_token']}"

    def call(self, method: str, path: str, expect: tuple[int, ...], **kw: Any) -> Any:
        reply = self.session.request(method, f"{self.url}{path}", timeout=30, **kw)
        if reply.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {reply.status_code} {reply.text[:300]}")
        return reply.json().get("data") if reply.content else None

    def create(self, path: str, key: str, body: dict[str, Any]) -> Any:
        return self.call("POST", path, (200, 201), json=body, headers={"Idempotency-Key": f"demo-{key}"})


def seed_demo(url: str, email: str, password: str) -> str:
    """Write the demo catalog unless it is there; returns what it did."""
    api = Client(url, email, password)
    found = api.session.get(f"{url}/products/by-slug/{MARKER_SLUG}", timeout=30)
    if found.status_code == 200:
        return "already there"
    stores = {slug: api.create("/stores", slug, {"name": name, "slug": slug, "currency": currency})["id"]
              for name, slug, currency in STORES}
    categories: dict[str, str] = {}
    for name, parent in CATEGORIES:
        body = {"name": name, **({"parent_id": categories[parent]} if parent else {})}
        categories[name] = api.create("/product-categories", f"category-{name}", body)["id"]
    for name, category, option, values, colour in PRODUCTS:
        key = f"product-{name}"
        product = api.create("/products", key, {"name": name, "product_category_id": categories[category],
                                                "store_ids": list(stores.values())})
        option_id = api.create(f"/products/{product['id']}/options", f"{key}-option", {"name": option})["id"]
        for position, (value, sku, price) in enumerate(values):
            value_id = api.create(f"/product-options/{option_id}/values", f"{key}-{value}",
                                  {"value": value, "position": position})["id"]
            variant = api.create(f"/products/{product['id']}/variants", f"{key}-{sku}",
                                 {"sku": sku, "price": price, "option_value_ids": [value_id]})
            for n, store_id in enumerate(stores.values()):
                api.call("PUT", f"/product-variants/{variant['id']}/stock/{store_id}", (200, 201),
                         json={"quantity": 5 + 7 * n + position})
        image = png(colour)
        upload = api.create("/files", f"{key}-image", {"filename": "demo.png", "content_type": "image/png",
                                                       "size": len(image)})
        if upload.get("status") != "ready":  # a resumed run may find it uploaded and verified already
            sent = requests.post(upload["upload"]["url"], data=upload["upload"]["fields"],
                                 files={"file": ("demo.png", image, "image/png")}, timeout=30)
            if sent.status_code not in (200, 201, 204):
                raise RuntimeError(f"S3 refused the demo image: {sent.status_code} {sent.text[:300]}")
            api.call("POST", f"/files/{upload['id']}/complete", (200,))
        if not api.call("GET", f"/products/{product['id']}", (200,)).get("gallery"):
            api.call("POST", f"/products/{product['id']}/gallery", (200, 201), json={"file_ids": [upload["id"]]})
    return f"created: {len(STORES)} stores, {len(CATEGORIES)} categories, {len(PRODUCTS)} products"


def seed_demo_in_background(url: str, email: str, password: str) -> threading.Thread:
    """Seed once the server (started right after this call) answers; print the outcome."""

    def run() -> None:
        for _ in range(120):
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        try:
            print(f"Demo catalog: {seed_demo(url, email, password)}", flush=True)
        except Exception as exc:  # noqa: BLE001 - the API keeps serving; say what failed
            print(f"Demo catalog: failed ({exc})", flush=True)

    thread = threading.Thread(target=run, name="demo-seed", daemon=True)
    thread.start()
    return thread
