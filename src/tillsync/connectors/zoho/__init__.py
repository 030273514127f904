"""Zoho Inventory: a POS that takes the hub's orders, and a warehouse for the stock role."""
