"""CIN7 Core on the hub side: connect, push sales, apply webhooks, pull the catalog."""
