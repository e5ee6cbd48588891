"""Shared machinery: settings, envelope, errors, table, keys, pagination, routing."""
