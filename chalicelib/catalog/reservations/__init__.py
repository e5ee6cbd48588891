"""Reservations: units of a store's stock held for a while, then committed, released or expired."""
