"""FakeDiscord: the aiohttp server (REST under /api/v10, gateway websocket) and its checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import traceback
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

from aiohttp import web

from . import errors
from .driver import MemberActions
from .errors import DiscordError
from .gateway import GatewayHub
from .interactions import InteractionLog
from .ratelimit import RateLimiter, Refusal
from .routes import HANDLERS, TOKEN_IN_PATH, Call, Reply, load_handlers
from .spec import Violation, shared_checker
from .state import Store


UPLOAD_CEILING = 64 * 2**20


@dataclass
class RecordedRequest:
    method: str
    route: str  # "PATCH /guilds/{guild_id}/voice-states/{user_id}" ("" when no route matched)
    path: str
    query: dict[str, str]
    json: Any
    status: int
    at: float  # time.monotonic() when it arrived
    response: Any = None


class FakeDiscord(MemberActions):
    """A loopback Discord. ``async with FakeDiscord() as fake:`` starts and stops it."""

    def __init__(
        self,
        *,
        heartbeat_interval_ms: int = 1000,
        default_limit: tuple[int, float] = (10_000, 1.0),
        interaction_timeout: float = 3.0,
        voice_endpoint: str = "127.0.0.1:1",
        bot_name: str = "Podium",
    ) -> None:
        load_handlers()
        self.store = Store(bot_name=bot_name)
        self.limiter = RateLimiter(default_limit)
        self.checker = shared_checker()
        self.hub = GatewayHub(self, heartbeat_interval_ms)
        self.interactions = InteractionLog(self, interaction_timeout)
        self.voice_endpoint = voice_endpoint
        self.voice_token = "fake-voice-token"
        self.requests: list[RecordedRequest] = []
        self.spec_violations: list[Violation] = []
        self.unimplemented: list[str] = []
        self.internal_errors: list[str] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=UPLOAD_CEILING)  # Discord itself takes up to 500 MiB bodies
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/resume-gateway", self.hub.handle)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        return self

    async def stop(self) -> None:
        await self.hub.drop(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    @property
    def token(self) -> str:
        return self.store.token

    # -- test controls -------------------------------------------------------------
    def limit(self, route: str, count: int, per: float, *, hidden: bool = False, scope: str = "user") -> None:
        """Limit ``route`` ("METHOD /template") to ``count`` requests per ``per`` seconds."""
        self.limiter.limit(route, count, per, hidden=hidden, scope=scope)

    def limit_global(self, count: int = 50, per: float = 1.0) -> None:
        """Discord's global limit: ``count`` requests per ``per`` seconds per bot, over every route but
        interaction callbacks and webhooks; a 429 with ``"global": true`` past it."""
        self.limiter.limit_global(count, per)

    def fail_next(self, route: str, *, status: int = 429, times: int = 1, retry_after: float = 0.3, **kw: Any) -> None:
        """Answer the next ``times`` requests on ``route`` with 429 (or 500/502/...)."""
        self.limiter.fail_next(route, status=status, times=times, retry_after=retry_after, **kw)

    def clear_failures(self, route: str) -> None:
        self.limiter.clear_failures(route)

    def calls(self, route: str | None = None, *, status: int | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests
            if (route is None or r.route == route) and (status is None or r.status == status)
        ]

    def assert_no_spec_violations(self) -> None:
        problems = [str(v) for v in self.spec_violations] + [f"unimplemented route: {u}" for u in self.unimplemented]
        problems += [f"fake Discord bug: {e}" for e in self.internal_errors]
        if problems:
            raise AssertionError("requests the real Discord would refuse:\n" + "\n".join(problems))

    def dispatch(self, event: str, data: dict[str, Any], **kw: Any) -> None:
        self.hub.dispatch(event, data, **kw)
        self.changed()

    def changed(self) -> None:
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every change and every 20 ms)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.02))

    async def drop_gateway(self, code: int | None = 4000) -> None:
        """Close live gateway connections (4000 by default; None aborts the TCP transport)."""
        await self.hub.drop(code)

    @contextlib.asynccontextmanager
    async def gateway_outage(self, code: int | None = 4000) -> AsyncIterator[None]:
        """Drop the gateway and hold reconnects until the block ends; events inside are replayed."""
        self.hub.hold()
        try:
            await self.hub.drop(code)
            yield
        finally:
            self.hub.release()

    # -- REST ------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        query = dict(request.query)
        record = RecordedRequest(request.method, "", request.path, query, None, 0, started)
        self.requests.append(record)
        headers: dict[str, str] = {}
        try:
            op, params = self.checker.match(request.method, request.path)
            record.route = op.key
            refusal, headers = self.limiter.check(op.key, params)
            if refusal is not None:
                return self._refused(record, refusal)
            if not any(marker in op.template for marker in TOKEN_IN_PATH):
                if request.headers.get("Authorization") != f"Bot {self.store.token}":
                    raise errors.unauthorized()
            body, raw, files = await self._read_body(request)
            record.json = body
            if body is not None:
                problems = self.checker.check_body(op, body, raw)
                if problems:
                    self.spec_violations.append(Violation(op.key, request.path, "openapi-body", problems, body))
                    raise errors.invalid_form_body(problems)
            problems = self.checker.check_query(op, query)
            if problems:
                self.spec_violations.append(Violation(op.key, request.path, "openapi-query", problems, query))
                raise errors.invalid_form_body(problems)
            handler = HANDLERS.get(op.key)
            if handler is None:
                self.unimplemented.append(op.key)
                raise errors.not_found_route()
            call = Call(self, op.key, params, query, body, dict(request.headers), files=files)
            try:
                result = await handler(call)
            except DiscordError as exc:
                if exc.code == 50035:
                    self.spec_violations.append(Violation(op.key, request.path, "discord-rule", exc.errors or {}, body))
                raise
            self.changed()
            status, payload = (result.status, result.body) if isinstance(result, Reply) else (
                (204, None) if result is None else (200, result)
            )
            return self._answer(record, status, payload, headers)
        except DiscordError as exc:
            return self._answer(record, exc.status, exc.body(), headers)
        except Exception as exc:  # a bug in the fake: fail fast (a 5xx would make discord.py retry for ~20 s)
            self.internal_errors.append(f"{request.method} {request.path}: {exc!r}\n{traceback.format_exc()}")
            return self._answer(record, 400, {"message": f"fake Discord internal error: {exc!r}", "code": 0}, headers)

    async def _read_body(self, request: web.Request) -> tuple[Any, str | None, list[tuple[str, bytes]]]:
        """The JSON body, its text, and the files of a multipart upload (``files[n]`` parts, in order)."""
        if not request.can_read_body:
            return None, None, []
        ctype = request.content_type
        files: list[tuple[str, bytes]] = []
        if ctype == "multipart/form-data":
            form = await request.post()
            for name, part in form.items():
                if name.startswith("files[") and not isinstance(part, str):
                    files.append((part.filename or "file", part.file.read()))
            raw = form.get("payload_json")
            if raw is None:
                return {}, None, files
            raw = raw if isinstance(raw, str) else raw.file.read().decode()
        else:
            raw = await request.text()
            if not raw:
                return None, None, files
        try:
            return json.loads(raw), raw, files
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None

    def _refused(self, record: RecordedRequest, refusal: Refusal) -> web.Response:
        if isinstance(refusal.body, str):
            record.status = refusal.status
            return web.Response(status=refusal.status, text=refusal.body, content_type="text/html", headers=refusal.headers)
        return self._answer(record, refusal.status, refusal.body, refusal.headers)

    def _answer(self, record: RecordedRequest, status: int, payload: Any, headers: dict[str, str]) -> web.Response:
        record.status = status
        record.response = payload
        if status == 204 or payload is None:
            return web.Response(status=204 if status < 300 else status, headers=headers)
        out = dict(headers)
        out["Content-Type"] = "application/json"  # exactly: discord.py compares the header verbatim
        return web.Response(status=status, body=json.dumps(payload).encode(), headers=out)
