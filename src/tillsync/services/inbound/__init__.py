"""Changes flowing in from providers: webhook deliveries stored, then applied by jobs."""
