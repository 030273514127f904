"""The outbox: job store, worker and handlers."""
