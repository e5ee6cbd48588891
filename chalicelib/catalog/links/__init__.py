"""Use cases of the products domain, one module per resource."""
