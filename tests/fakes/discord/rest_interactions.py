"""Interaction callbacks and the interaction webhook (followups, @original).

Rules: one initial response per interaction (else 40060); it must come within
3 s of INTERACTION_CREATE (else 10062, as for an unknown interaction); the
callback type must fit the interaction type; ``with_response`` decides between
204 and an InteractionCallbackResponse body. discord.py always sends
``?with_response=1`` (the string ``1``), which Discord accepts as true.
"""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT, MODAL_SUBMIT, PING, InteractionRecord, Response
from .models import Message, snowflake
from .rest_messages import EPHEMERAL, LOADING, check_content, edit_message, emit, new_message
from .routes import Call, Reply, route

_ALLOWED = {
    PING: {1},
    APPLICATION_COMMAND: {4, 5, 9, 12},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 12},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7, 12},
}


@route("POST /interactions/{interaction_id}/{interaction_token}/callback")
async def callback(call: Call) -> Reply | None:
    log = call.fake.interactions
    record = log.by_id.get(int(call.params["interaction_id"]))
    kind = int(call.body().get("type", 0))
    data = call.body().get("data")
    if record is None or record.token != call.params["interaction_token"]:
        raise errors.unknown_interaction()
    delay = time.monotonic() - record.dispatched_at
    refused = Response(kind, data, delay, 0)
    try:
        if record.acked:
            raise errors.already_acknowledged()
        if record.expired(log.timeout):
            raise errors.unknown_interaction()
        if kind not in _ALLOWED[record.type]:
            raise errors.invalid_field(["type"], "BASE_TYPE_CHOICES", f"Value must be one of {sorted(_ALLOWED[record.type])}.")
        message = _apply(call, record, kind, data or {})
    except errors.DiscordError as exc:
        refused.status = exc.status
        record.refused.append(refused)
        raise
    response = Response(kind, data, delay, 200 if call.flag("with_response") else 204)
    record.responses.append(response)
    if not call.flag("with_response"):
        return None
    body: dict[str, Any] = {"interaction": {"id": str(record.id), "type": record.type}}
    if message is not None:
        body["interaction"].update(
            response_message_id=str(message.id),
            response_message_loading=bool(message.flags & LOADING),
            response_message_ephemeral=bool(message.flags & EPHEMERAL),
        )
        body["resource"] = {"type": kind, "message": message.payload()}
    return Reply(200, body)


def _apply(call: Call, record: InteractionRecord, kind: int, data: dict[str, Any]) -> Message | None:
    store = call.store
    if kind == 4:
        message = new_message(call, record.channel, data, store.bot, **_webhook_fields(call, record))
        record.original = message
        emit(call, "MESSAGE_CREATE", message)
        return message
    if kind == 5:
        check_content(data)
        flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        message = Message(snowflake(), record.channel.id, store.bot, guild_id=record.channel.guild_id, flags=flags, **_webhook_fields(call, record))
        store.messages[message.id] = message
        record.original = message
        emit(call, "MESSAGE_CREATE", message)
        return message
    if kind == 7:
        target = store.messages.get(record.message.id) if record.message else None
        if target is None:
            raise errors.unknown_message()
        edit_message(target, data)
        emit(call, "MESSAGE_UPDATE", target)
        return target
    if kind == 9:
        for key in ("custom_id", "title", "components"):
            if not data.get(key):
                raise errors.invalid_field(["data", key], "BASE_TYPE_REQUIRED", "This field is required")
    return None


def _webhook_fields(call: Call, record: InteractionRecord, original: bool = True) -> dict[str, Any]:
    return {
        "webhook_id": call.store.application_id,
        "application_id": call.store.application_id,
        "type": 20 if original and record.type == APPLICATION_COMMAND else 0,  # CHAT_INPUT_COMMAND / DEFAULT
        "interaction_metadata": {
            "id": str(record.id),
            "type": record.type,
            "user": record.user.payload(),
            "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
            **({"name": record.data.get("name")} if record.type == APPLICATION_COMMAND else {}),
        },
    }


# -- the interaction webhook ------------------------------------------------------------


def _record(call: Call) -> InteractionRecord:
    record = call.fake.interactions.by_token.get(call.params["webhook_token"])
    if record is None or str(call.params["webhook_id"]) != str(call.store.application_id) or record.token_expired():
        raise errors.unknown_webhook()
    if not record.acked:
        raise errors.unknown_webhook()  # the webhook exists once the interaction is acknowledged
    return record


def _target(call: Call, record: InteractionRecord) -> Message:
    message_id = call.params.get("message_id")
    if message_id is None:  # the @original route
        if record.original is None or record.original.id not in call.store.messages:
            raise errors.unknown_message()
        return record.original
    found = next((m for m in record.followups if str(m.id) == message_id and m.id in call.store.messages), None)
    if found is None:
        raise errors.unknown_message()
    return found


@route("POST /webhooks/{webhook_id}/{webhook_token}")
async def followup(call: Call) -> Reply | dict[str, Any]:
    record = _record(call)
    message = new_message(call, record.channel, call.body(), call.store.bot, **_webhook_fields(call, record, original=False))
    record.followups.append(message)
    emit(call, "MESSAGE_CREATE", message)
    return message.payload() if call.flag("wait") else Reply(204)


@route(
    "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
)
async def get_webhook_message(call: Call) -> dict[str, Any]:
    record = _record(call)
    return _target(call, record).payload()


@route(
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
)
async def edit_webhook_message(call: Call) -> dict[str, Any]:
    record = _record(call)
    message = edit_message(_target(call, record), call.body())
    emit(call, "MESSAGE_UPDATE", message)
    return message.payload()


@route(
    "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
)
async def delete_webhook_message(call: Call) -> None:
    record = _record(call)
    message = _target(call, record)
    del call.store.messages[message.id]
    emit(call, "MESSAGE_DELETE", message)
