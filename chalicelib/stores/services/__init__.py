"""Use cases of the stores domain, one function each (stores, deletion, members, product links, stock)."""
