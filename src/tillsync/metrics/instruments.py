"""What this process served, ran and called, counted in its own Prometheus registry.

Counters of work done in a process (HTTP requests, job attempts, provider calls, stock
checks) live in that process: a hub of several processes is summed by Prometheus across
its targets. Figures every process can read from the database are added at scrape time
(`metrics.figures`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
"""The route of a request no route took: its raw path would make a series per URL."""
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self._requests = Counter(
            "tillsync_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "tillsync_http_request_duration_seconds",
            "Time to answer an HTTP request (a live stream: until it closed)",
            ["method", "route"],
            registry=self.registry,
        )
        self._jobs = Histogram(
            "tillsync_job_run_seconds",
            "Job attempts run by this process, by kind and outcome, and their run time",
            ["kind", "outcome"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self._calls = Counter(
            "tillsync_provider_calls",
            "Calls to providers, by provider and outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self._checks = Counter(
            "tillsync_stock_checks",
            "Stock checks answered, by whether the quantity was available",
            ["available"],
            registry=self.registry,
        )

    def request_served(self, *, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self._requests.labels(method, route, str(status)).inc()
        self._latency.labels(method, route).observe(seconds)

    def job_ran(self, kind: str, outcome: str, seconds: float) -> None:
        self._jobs.labels(kind, outcome).observe(seconds)

    def provider_called(self, provider: str, outcome: str) -> None:
        self._calls.labels(provider, outcome).inc()

    def stock_checked(self, available: bool) -> None:
        self._checks.labels(str(available).lower()).inc()

    def exposition(self, families: Iterable[Metric], *, accept: str) -> tuple[bytes, str]:
        """This process's metrics and `families` in the format `accept` asks for."""
        encode, media_type = choose_encoder(accept)
        return encode(_Scrape(self.registry, list(families))), media_type


class _Scrape(Collector):
    """A collector of one scrape: the registry's metrics, then figures read for it."""

    def __init__(self, registry: CollectorRegistry, families: list[Metric]) -> None:
        self._registry = registry
        self._families = families

    def collect(self) -> Iterator[Metric]:
        yield from self._registry.collect()
        yield from self._families
