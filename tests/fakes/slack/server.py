"""FakeSlack: a loopback Slack Web API (and response_url host) for the real slack_sdk client.

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=fake.token, base_url=fake.api_url)

Every call is recorded (`fake.calls`), checked against Slack's API description (`fake.spec_violations`)
and answered in Slack's shape: HTTP 200 with `{"ok": false, "error": ...}` for refusals, 429 with
`Retry-After` when a test asks for rate limiting (`fake.faults`).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from email.utils import formatdate
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from . import chat, conversations, directory, views  # noqa: F401  (they register their methods)
from .blockkit import decode
from .faults import Faults
from .registry import APP_LEVEL, METHODS, Ctx, SlackError
from .response_urls import ResponseUrl, apply_response
from .socket_mode import SocketMode
from .spec import JSON_FIELDS, SlackSpec, SpecViolation
from .state import Channel, Ephemeral, Message, SlackState, Team, User, UserGroup, View

_FORM = "application/x-www-form-urlencoded"
_POST_TYPES = {"application/json", _FORM, "multipart/form-data", "text/plain"}


@dataclass
class RecordedCall:
    method: str
    args: dict[str, Any]  # query and body merged; JSON fields (blocks, view, ...) decoded
    http_verb: str
    content_type: str
    time: float  # the fake's clock (real time plus `advance()`)
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yml"


def granted() -> list[str]:
    """The bot scopes of an app installed from Podium's manifest, as Slack grants them at install."""
    import yaml

    return list(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


class FakeSlack:
    def __init__(self, *, team: Team | None = None, token: str = "xoxb-0000000001-podium-fake-bot-token",
                 app_token: str = "xapp-1-A0PODIUM1-0000000001-podium-fake-app-token") -> None:
        self.state = SlackState(team)
        self.token = token
        self.tokens: dict[str, str] = {token: self.state.bot.id}  # token -> user id it acts as
        self.app_token = app_token  # app-level: opens Socket Mode connections (`fake.socket`), nothing else
        # The bot scopes the workspace granted at install (Podium's manifest asks for these); Slack sends them
        # in X-OAuth-Scopes on every answer and refuses a method none of whose scopes is granted.
        self.scopes: list[str] = granted()
        self.clock_skew = 0.0  # seconds Slack's clock (its Date header) is ahead of this machine's
        self.socket = SocketMode(self.state)
        self.spec = SlackSpec()
        self.faults = Faults()
        self.calls: list[RecordedCall] = []
        self.spec_violations: list[SpecViolation] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self.response_posts: list[dict[str, Any]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    # ----- lifecycle
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/{kind:commands|actions}/{rest:.*}", self._response_url)
        app.router.add_get("/link/", self.socket.serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self.socket.close()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The `base_url` to give slack_sdk's AsyncWebClient."""
        return f"{self.url}/api/"

    def client(self, **kwargs: Any) -> Any:
        from slack_sdk.web.async_client import AsyncWebClient
        return AsyncWebClient(token=kwargs.pop("token", self.token), base_url=self.api_url, **kwargs)

    # ----- hooks on the workspace
    @property
    def team(self) -> Team:
        return self.state.team

    @property
    def bot(self) -> User:
        return self.state.bot

    def add_user(self, name: str, **attrs: Any) -> User:
        return self.state.add_user(name, **attrs)

    def add_channel(self, name: str, **attrs: Any) -> Channel:
        return self.state.add_channel(name, **attrs)

    def add_usergroup(self, handle: str, users: list[str], **attrs: Any) -> UserGroup:
        return self.state.add_usergroup(handle, users, **attrs)

    def add_token(self, token: str, user_id: str) -> None:
        self.tokens[token] = user_id

    def post_as(self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None) -> Message:
        return self.state.post_as(user_id, channel_id, text, thread_ts)

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id as an interaction gives one: views.open accepts it once, within 3 s."""
        return self.state.issue_trigger(user_id)

    def advance(self, seconds: float) -> None:
        """Moves the fake's clock forward (trigger expiry, rate windows, message ts)."""
        self.state.advance(seconds)

    # ----- faults (see faults.py)
    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with `Retry-After: retry_after`."""
        self.faults.rate_limit(method, retry_after=retry_after, times=times)

    def limit_rate(self, method: str, *, max_calls: int, per_seconds: float = 1.0, key: str | None = "channel",
                   retry_after: int = 1) -> None:
        """At most `max_calls` calls of `method` per `per_seconds` per value of argument `key`; then 429."""
        self.faults.limit_rate(method, max_calls=max_calls, per_seconds=per_seconds, key=key,
                               retry_after=retry_after)

    def fail_next(self, method: str, *, times: int = 1, status: int = 500) -> None:
        """The next `times` calls of `method` answer HTTP `status`."""
        self.faults.fail_next(method, times=times, status=status)

    def fail_after_next(self, method: str, *, times: int = 1, status: int = 500) -> None:
        """The next `times` calls of `method` are carried out, then answered HTTP `status`."""
        self.faults.fail_after_next(method, times=times, status=status)

    def slow_down(self, method: str, *, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are answered only after `seconds`."""
        self.faults.slow_down(method, seconds=seconds, times=times)

    def new_response_url(self, kind: str, *, channel: str, user: str, message_ts: str | None = None) -> str:
        token = secrets.token_hex(12)
        url = f"{self.url}/{kind}/{self.team.id}/{secrets.randbelow(10**12)}/{token}"
        self.response_urls[url] = ResponseUrl(url, kind, channel, user, message_ts)
        return url

    # ----- what tests read
    def messages(self, channel: str) -> list[Message]:
        return list(self.state.channels[channel].messages)

    def home_view(self, user_id: str) -> View | None:
        return next((v for v in self.state.views.values() if v.type == "home" and v.user == user_id), None)

    def modals(self, user_id: str) -> list[View]:
        return [v for v in self.state.views.values() if v.type == "modal" and v.user == user_id]

    @property
    def ephemerals(self) -> list[Ephemeral]:
        return list(self.state.ephemerals)

    @property
    def dms(self) -> dict[str, list[Message]]:
        return self.state.dms()

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Every payload the app posted to a response_url, in order."""
        return list(self.response_posts)

    def calls_to(self, method: str, **where: Any) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method and _matches(c.args, where)]

    def count(self, method: str, **where: Any) -> int:
        return len(self.calls_to(method, **where))

    async def wait_for(self, method: str, *, count: int = 1, timeout: float = 3.0,
                       **where: Any) -> list[RecordedCall]:
        """Waits until `count` calls of `method` matching `where` were answered (bolt runs listeners
        after the ack, so the app's calls land after its HTTP response)."""
        try:
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.count(method, **where) >= count), timeout)
        except TimeoutError:
            seen = [(c.method, c.error) for c in self.calls]
            raise AssertionError(f"{count} × {method} {where or ''} not called within {timeout}s; calls: {seen}")
        return self.calls_to(method, **where)

    def assert_no_spec_violations(self) -> None:
        if self.spec_violations:
            raise AssertionError("Slack API description violated:\n" + "\n".join(map(str, self.spec_violations)))

    # ----- HTTP
    async def _api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        args, token, json_body, parse_error = await _read(request)
        call = RecordedCall(name, {k: decode(v) if k in JSON_FIELDS else v for k, v in args.items()},
                            request.method, request.content_type, self.state.now())
        delay = self.faults.latency(name)
        if delay:
            await asyncio.sleep(delay)
        status, headers, body = self._answer(name, args, token, json_body, parse_error)
        headers = {**headers, "Date": formatdate(time.time() + self.clock_skew, usegmt=True)}
        if token and token in self.tokens:
            headers["X-OAuth-Scopes"] = ",".join(self.scopes)
        if json_body and "charset" not in request.headers.get("Content-Type", "") and body.get("ok") is not None:
            body.setdefault("warning", "missing_charset")
            body.setdefault("response_metadata", {}).setdefault("warnings", []).append("missing_charset")
        call.status, call.response = status, body
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, name: str, args: dict[str, Any], token: str | None, json_body: bool,
                parse_error: str | None) -> tuple[int, dict[str, str], dict[str, Any]]:
        handler = METHODS.get(name)
        if handler is None:
            if self.spec.knows(name):
                # Slack serves it; this fake does not: make the gap loud rather than answer wrongly.
                self.spec_violations.append(SpecViolation(name, ["the fake does not serve this method"], args))
                return 200, {}, {"ok": False, "error": "not_implemented"}
            return 200, {}, {"ok": False, "error": "unknown_method", "req_method": name}
        if parse_error:
            return 200, {}, {"ok": False, "error": parse_error}
        refusal = self.faults.check(name, args, self.state.now())
        if refusal:
            return refusal.status, refusal.headers, refusal.body
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        app_level = token == self.app_token
        actor_id = self.state.bot.id if app_level else self.tokens.get(token)  # the app acts as its bot
        if actor_id is None:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if app_level != (name in APP_LEVEL):
            return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
        needed = self.spec.scopes(name)
        if not app_level and needed and not needed & set(self.scopes):
            return 200, {}, {"ok": False, "error": "missing_scope", "needed": ",".join(sorted(needed)),
                             "provided": ",".join(self.scopes)}
        messages = self.spec.check(name, args, json_body=json_body)
        if messages:
            self.spec_violations.append(SpecViolation(name, messages, args))
            return 200, {}, {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": messages}}
        try:
            result = handler(Ctx(self.state, args, self.state.users[actor_id], origin=self.url))
        except SlackError as e:
            return 200, {}, {"ok": False, "error": e.error, **e.extra}
        failed = self.faults.check_after(name)
        if failed:
            return failed.status, failed.headers, failed.body
        return 200, {}, {"ok": True, **result}

    async def _response_url(self, request: web.Request) -> web.Response:
        hook = self.response_urls.get(f"{self.url}{request.path}")
        if hook is None:
            return web.Response(status=404, text="no_active_hooks")
        try:
            payload = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        self.response_posts.append(payload)
        apply_response(self.state, hook, payload)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True})


async def _read(request: web.Request) -> tuple[dict[str, Any], str | None, bool, str | None]:
    """(args, token, json_body, parse_error) from the query string and body, as Slack reads them."""
    args: dict[str, Any] = dict(request.query)
    raw = await request.read()
    ctype = request.content_type
    json_body = False
    if raw:
        if ctype == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                return args, None, False, "invalid_json"
            if not isinstance(body, dict):
                return args, None, False, "json_not_object"
            body.pop("token", None)  # Slack reads a JSON call's token from the Authorization header only
            args.update(body)
            json_body = True
        elif ctype == _FORM:
            args.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        elif ctype == "multipart/form-data":
            args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        elif ctype not in _POST_TYPES:
            return args, None, False, "invalid_post_type"
    token = args.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        token = auth.removeprefix("Bearer ").strip()
    return args, token, json_body, None


def _matches(args: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(args.get(k) == v for k, v in where.items())
