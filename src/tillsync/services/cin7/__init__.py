"""The CIN7 Core warehouse on the hub side: connect, push sales, apply its webhooks, pull its catalog."""
