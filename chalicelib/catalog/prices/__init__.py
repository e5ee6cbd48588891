"""Store prices: a store's override of a variant's base price, in the store's currency."""
