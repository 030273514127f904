"""The HTTP face of the CRM emulator: seed 003's external invoice API in front of `CrmState`.

Every API call goes through one pipeline: latency → down → API key → a fault rule's
`*_before` action → the effect → its `*_after` action → call log.
"""

from __future__ import annotations

import json
from decimal import Decimal

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from tillsync.emulators.connection import DroppedConnection, sleep_unless_disconnected
from tillsync.emulators.crm.control import control_router
from tillsync.emulators.crm.invoices import InvoiceError, parse_draft
from tillsync.emulators.crm.responses import json_response, refusal
from tillsync.emulators.crm.state import CrmState, FaultRule
from tillsync.emulators.faults import carry_out

INVOICES = "/api/external/invoices"
MAX_LOOKUP = 100


class InvoiceApi:
    def __init__(self, state: CrmState) -> None:
        self._state = state

    async def create(self, request: Request) -> Response:
        raw = await request.body()  # read now: later waits listen on the same channel
        key = request.headers.get("idempotency-key") or None
        response, reference = await self._create(request, raw, key)
        self._record(request, response, key=key, reference=reference)
        return response

    async def lookup(self, request: Request) -> Response:
        await request.body()
        reference = request.query_params.get("reference")
        response = await self._lookup(request, reference)
        self._record(request, response, key=None, reference=reference)
        return response

    async def _create(
        self, request: Request, raw: bytes, key: str | None
    ) -> tuple[Response, str | None]:
        refused = await self._admit(request)
        if refused is not None:
            return refused, None
        try:
            body = json.loads(raw, parse_float=Decimal)
        except ValueError:
            return refusal("the body is not valid JSON", status=400, field="body"), None
        reference = body.get("reference") if isinstance(body, dict) else None
        rule = self._state.faults.take("create")
        early = await _before(request, rule)
        if early is not None:
            return early, _text(reference)
        try:
            invoice, replayed = self._state.create_invoice(parse_draft(body), key=key)
        except InvoiceError as error:
            return refusal(error.message, status=error.status, field=error.field), _text(reference)
        answer = json_response(
            {
                "success": True,
                "invoice_id": invoice.id,
                "invoice_number": invoice.number,
                "invoice": invoice.document(),
            },
            201,
            **({"Idempotent-Replayed": "true"} if replayed else {}),
        )
        return await _after(request, rule, answer), invoice.reference

    async def _lookup(self, request: Request, reference: str | None) -> Response:
        refused = await self._admit(request)
        if refused is not None:
            return refused
        rule = self._state.faults.take("lookup")
        early = await _before(request, rule)
        if early is not None:
            return early
        limit = _limit(request.query_params.get("limit"))
        if limit is None:
            return refusal(f"limit must be a whole number from 1 to {MAX_LOOKUP}", status=400)
        found = (
            self._state.ledger.by_reference(reference)
            if reference is not None
            else self._state.invoices
        )
        answer = json_response(
            {"success": True, "invoices": [invoice.document() for invoice in found[:limit]]}
        )
        return await _after(request, rule, answer)

    async def _admit(self, request: Request) -> Response | None:
        faults = self._state.faults
        await sleep_unless_disconnected(request, faults.latency_ms / 1000)
        if faults.down:
            return refusal("Service unavailable", status=503)
        if not self._state.authenticate(request.headers.get("x-api-key")):
            return refusal("Invalid or missing API key", status=401)
        return None

    def _record(
        self, request: Request, response: Response, *, key: str | None, reference: str | None
    ) -> None:
        self._state.record_call(
            method=request.method,
            path=request.url.path,
            status=0 if isinstance(response, DroppedConnection) else response.status_code,
            idempotency_key=key,
            reference=reference,
        )


async def _before(request: Request, rule: FaultRule | None) -> Response | None:
    return await carry_out(request, rule, moment="before", failure=_server_error)


async def _after(request: Request, rule: FaultRule | None, response: Response) -> Response:
    ruled = await carry_out(request, rule, moment="after", failure=_server_error)
    return response if ruled is None else ruled


def _server_error(status: int) -> Response:
    return refusal("Internal server error", status=status)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _limit(value: str | None) -> int | None:
    if value is None:
        return MAX_LOOKUP
    if not value.isdigit() or not 1 <= int(value) <= MAX_LOOKUP:
        return None
    return int(value)


def create_crm_emulator(state: CrmState | None = None) -> FastAPI:
    """The emulator as an ASGI app: the CRM under `/api/external/`, controls under `/_emulator/`."""
    crm = state or CrmState()
    app = FastAPI(
        title="CRM emulator (seed 003)",
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
    )
    app.state.crm = crm
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "x-api-key", "Idempotency-Key"],
        max_age=600,
    )
    app.include_router(control_router(crm))
    api = InvoiceApi(crm)
    app.add_api_route(INVOICES, api.create, methods=["POST"], include_in_schema=False)
    app.add_api_route(INVOICES, api.lookup, methods=["GET"], include_in_schema=False)
    return app
