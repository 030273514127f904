"""The one error tree of tillsync.

    TillsyncError
    ├── ClientError                 a caller's request cannot be served (4xx, or 502)
    │   ├── MalformedBody           400: the body cannot be read (not JSON, nested too deeply)
    │   ├── InvalidInput            422: a field is missing or wrong
    │   │   ├── InvalidFields       422: several fields are wrong, each named in `errors`
    │   │   └── ChoiceNeeded        422: the account offers several values for a setting and
    │   │                                none was given; `choices` lists them
    │   ├── CredentialsRefused      400: the provider said no to the credentials given
    │   ├── NotAuthenticated        401: no key, an unknown key, a bad webhook secret
    │   ├── InvalidState            400: an OAuth callback's state, or a consent waiting for a
    │   │                                choice, is missing, forged, expired or used
    │   ├── NotFound                404: the thing named does not exist for this tenant
    │   ├── Conflict                409: the request clashes with what is stored
    │   │   └── InsufficientStock   409: a sale or hold asks for more than is available
    │   ├── PayloadTooLarge         413
    │   ├── RateLimited             429: the provider account's rate budget is used up for now
    │   └── ProviderUnavailable     502: the provider the request needs cannot be reached now
    ├── ProviderError               a provider call failed; the class says what the job does next
    │   ├── Retryable               network error, timeout, 5xx: try again later
    │   │   └── Throttled           the provider asked us to slow down (wait given or not)
    │   ├── AuthFailed              credentials refused: re-authorise, do not retry blindly
    │   └── Permanent               validation, not found: retrying cannot help
    ├── BudgetExhausted             our own rate budget for a provider has no call left now:
    │                               the job steps aside until `wait_seconds` (no attempt spent)
    └── ConfigurationError          the hub cannot start as configured
        └── PortInUse               another program listens on the address asked for

Messages name the field or path and never carry a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


class TillsyncError(Exception):
    """Base of every error tillsync raises on purpose."""


class ClientError(TillsyncError):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class MalformedBody(ClientError):
    """Answered as a validation error is, with the one problem in `errors`."""

    code = "invalid_input"

    def __init__(self, problem: str) -> None:
        super().__init__(f"body: {problem}", field="body")
        self.problem = problem

    def body(self) -> dict[str, object]:
        return {**super().body(), "errors": [{"field": "body", "problem": self.problem}]}


class InvalidInput(ClientError):
    status_code = 422
    code = "invalid_input"


class InvalidFields(InvalidInput):
    """Every wrong field of a form at once, so each can be shown beside its input."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, problem = next(iter(problems.items()))
        super().__init__(f"{field}: {problem}", field=field)
        self.problems = problems

    def body(self) -> dict[str, object]:
        errors = [{"field": name, "problem": text} for name, text in self.problems.items()]
        return {**super().body(), "errors": errors}


class ChoiceNeeded(InvalidInput):
    """A setting the provider cannot choose alone (an account's organization when it has
    several): `choices` are `(value, label)` pairs the account offers, `noun` what one is."""

    def __init__(
        self, message: str, *, field: str, noun: str, choices: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__(message, field=field)
        self.noun = noun
        self.choices = tuple(choices)

    def body(self) -> dict[str, object]:
        offered = [{"value": value, "label": label} for value, label in self.choices]
        return {**super().body(), "choices": offered}


class CredentialsRefused(ClientError):
    code = "credentials_refused"


class NotAuthenticated(ClientError):
    status_code = 401
    code = "not_authenticated"


class InvalidState(ClientError):
    code = "invalid_state"


class NotFound(ClientError):
    status_code = 404
    code = "not_found"


class Conflict(ClientError):
    status_code = 409
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(
        self, message: str, *, sku: str, available: Decimal, requested: Decimal, field: str
    ) -> None:
        super().__init__(message, field=field)
        self.sku = sku
        self.available = available
        self.requested = requested

    def body(self) -> dict[str, object]:
        return {**super().body(), "success": False, "sku": self.sku}


class PayloadTooLarge(ClientError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(ClientError):
    status_code = 429
    code = "rate_limited"


class ProviderUnavailable(ClientError):
    """Not the caller's fault and not ours: the answer a gateway gives when upstream fails."""

    status_code = 502
    code = "provider_unavailable"


class ProviderError(TillsyncError):
    """A provider call failed. `kind` is the outcome class stored on the job."""

    kind = "provider"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Retryable(ProviderError):
    kind = "retryable"


class Throttled(Retryable):
    kind = "throttled"

    def __init__(
        self, message: str, *, status: int | None = None, wait_seconds: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.wait_seconds = wait_seconds


class AuthFailed(ProviderError):
    kind = "auth"


class Permanent(ProviderError):
    kind = "permanent"


class BudgetExhausted(TillsyncError):
    """No call may leave for this provider account until `wait_seconds` have passed."""

    def __init__(self, budget: str, *, wait_seconds: float) -> None:
        super().__init__(f"rate budget {budget} is used up for {wait_seconds:.1f} s")
        self.budget = budget
        self.wait_seconds = wait_seconds


class ConfigurationError(TillsyncError):
    """The hub cannot start with the settings it was given."""


class PortInUse(ConfigurationError):
    def __init__(self, *, host: str, port: int) -> None:
        super().__init__(f"port {port} on {host} is in use: choose another with --port")
        self.host = host
        self.port = port
