"""Prometheus metrics: this process's own counters, and the hub's figures read at scrape time."""

from tillsync.metrics.instruments import UNMATCHED, Metrics

__all__ = ["UNMATCHED", "Metrics"]
