"""Slack's requests over HTTP: authenticated before anything reads them, then checked for the shape the
listeners rely on, then handed to bolt.

Bolt parses a body before its middleware checks the signature, so an unsigned `{garbage` used to raise
inside the parser (HTTP 500 and a traceback per request). Here the raw bytes are checked first: a bad or
missing signature is 401 and one log line, nothing parsed. A signed body that cannot be read, or lacks what
every listener needs (who acted, in which workspace), is answered 200 with a localized refusal and one log
line: Slack shows the member that sentence instead of a timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from adapters.slack.text import sayer
from bot.i18n.message import Message
from bot.surface.errors import Unreadable

log = logging.getLogger(__name__)

STALE = 5 * 60  # seconds: an older timestamp is a replay
MAX_BODY = 1 << 20  # Slack's payloads are far smaller; a larger body is not Slack's
_INTERACTIVE = frozenset({"block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut",
                          "message_action"})
_EVENTS = frozenset({"url_verification", "event_callback", "app_rate_limited"})
_COMMAND_FIELDS = ("command", "user_id", "team_id", "channel_id")
_OBJECTS = ("user", "team", "channel", "enterprise", "container", "message", "view", "state")


def signed(secret: bytes, raw: bytes, headers: Any, *, now: float | None = None) -> bool:
    """Whether Slack signed these bytes within the last five minutes. Computed on the bytes themselves
    (slack_sdk's verifier takes text): a signed body that is not UTF-8 is refused as unreadable, not as
    forged."""
    timestamp, signature = headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > STALE:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def read(raw: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The text and the payload of a signed body; ValueError when it is not one Podium can act on."""
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if content_type == "application/json" or text.startswith("{"):
        body = json.loads(text)
    else:
        form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
        body = json.loads(form["payload"]) if "payload" in form else form
    found = problem(body)
    if found:
        raise ValueError(found)
    return text, body


def problem(body: Any) -> str | None:
    """What keeps Podium from acting on a request's payload (over HTTP or Socket Mode), or None."""
    return "not an object" if not isinstance(body, dict) else _shape(body)


def _shape(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "a type that is not a word"
    if kind in _EVENTS:
        return None if kind != "event_callback" or isinstance(body.get("event"), dict) else "event without event"
    if kind in _INTERACTIVE:
        for key in _OBJECTS:  # bolt reads these as objects before any listener runs
            if body.get(key) is not None and not isinstance(body[key], dict):
                return f"{kind} whose {key} is not an object"
        if kind == "block_actions" and not _actions(body.get("actions")):
            return "block_actions without actions"
        if kind in ("view_submission", "view_closed") and not isinstance((body.get("view") or {}).get("state", {}),
                                                                          dict):
            return f"{kind} without a view"
        user, team = body.get("user"), body.get("team")
        if not isinstance(user, dict) or not _id(user.get("id")):
            return f"{kind} without a user"
        if not (isinstance(team, dict) and _id(team.get("id"))) and not _id(user.get("team_id")):
            return f"{kind} without a team"
        return None
    if "command" in body:
        missing = [name for name in _COMMAND_FIELDS if not _id(body.get(name))]
        return f"command without {', '.join(missing)}" if missing else None
    return f"unknown request type {str(kind)[:40]!r}"


def _actions(actions: Any) -> bool:
    return isinstance(actions, list) and bool(actions) and all(
        isinstance(a, dict) and _id(a.get("action_id")) and (a.get("block_id") is None or isinstance(
            a["block_id"], str)) for a in actions)


def _id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable()


def reason(error: BaseException) -> str:
    """An error's first line, short: what the one log line of a refused request says."""
    return (str(error).splitlines() or [type(error).__name__])[0][:120]


def unanswered(status: int, *, event: bool) -> bool:
    """A listener failed (bolt logged it) or nothing listens: the member still gets a sentence. An event keeps
    its status, so Slack sends again an event it got no 2xx for, as it should."""
    return (status >= 500 or status == 404) and not event


def refused(locale: str) -> dict[str, str]:
    """The answer Slack shows the member (slash commands show a response body, or an ack's payload)."""
    return {"response_type": "ephemeral", "text": sayer(locale)(Message(Unreadable.message))}


def refusal(locale: str) -> web.Response:
    """200 with the sentence Slack shows the member."""
    return web.json_response(refused(locale))


def gate(bolt: Any, *, path: str, secret: str, locale: Callable[[], str]) -> web.Application:
    """The aiohttp application serving `bolt` at `path`, every request checked as above."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response
    from slack_bolt.request.async_request import AsyncBoltRequest

    key = secret.encode() if secret else None

    async def handle(request: web.Request) -> web.Response:
        started = time.monotonic()
        raw = await request.content.read(MAX_BODY + 1)
        if key is not None and (len(raw) > MAX_BODY or not signed(key, raw, request.headers)):
            log.warning("slack: refused an unsigned or wrongly signed request (%d bytes) from %s", len(raw),
                        request.remote)
            return web.Response(status=401)
        try:
            text, body = read(raw, request.content_type)
            # Bolt reads who and where from the body as it builds the request: a shape it cannot read is
            # refused here, not raised inside it.
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=dict(request.headers))
        except Exception as error:
            log.warning("slack: refused a signed request that cannot be read (%d bytes): %s", len(raw),
                        reason(error))
            return refusal(locale())
        answer = await bolt.async_dispatch(bolt_request)
        log.debug("slack: answered %s in %.3f s", answer.status, time.monotonic() - started)
        if unanswered(answer.status, event=body.get("type") in _EVENTS):
            return refusal(locale())
        return await to_aiohttp_response(answer)

    application = web.Application(client_max_size=MAX_BODY + 1)
    application.add_routes([web.post(path, handle)])
    return application
