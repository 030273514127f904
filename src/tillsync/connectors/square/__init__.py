"""Square: a POS that takes the hub's orders, lists its catalog and sends signed webhooks."""
