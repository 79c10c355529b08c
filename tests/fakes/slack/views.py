"""views.* methods: modals opened with a trigger_id, and the App Home tab per user."""

from __future__ import annotations

import secrets
from typing import Any

from .blockkit import BlockKitError, check_view, decode, with_block_ids
from .registry import Ctx, SlackError, method
from .state import TRIGGER_TTL_SECONDS, View


def _view_payload(ctx: Ctx, expect: str | None) -> dict[str, Any]:
    view = decode(ctx.get("view"))
    try:
        check_view(view, expect=expect)
    except BlockKitError as e:
        raise SlackError(e.error, response_metadata={"messages": e.messages})
    return {**view, "blocks": with_block_ids(view["blocks"])}


def _new_hash(ctx: Ctx) -> str:
    return f"{int(ctx.state.now())}.{secrets.token_hex(4)}"


def view_object(ctx: Ctx, view: View) -> dict[str, Any]:
    p = view.payload
    state = ctx.state
    return {
        "id": view.id, "team_id": state.team.id, "type": view.type, "blocks": p.get("blocks", []),
        "private_metadata": p.get("private_metadata", ""), "callback_id": p.get("callback_id", ""),
        "state": {"values": {}}, "hash": view.hash, "title": p.get("title"),
        "clear_on_close": bool(p.get("clear_on_close", False)),
        "notify_on_close": bool(p.get("notify_on_close", False)), "close": p.get("close"),
        "submit": p.get("submit"), "previous_view_id": view.previous_view_id,
        "root_view_id": view.root_view_id or view.id, "app_id": state.bot.app_id,
        "external_id": view.external_id, "app_installed_team_id": state.team.id, "bot_id": state.bot.bot_id,
    }


def _claim_external_id(ctx: Ctx, payload: dict[str, Any], keep: View | None = None) -> str:
    external_id = str(payload.get("external_id", ""))
    if external_id and any(v.external_id == external_id and v is not keep for v in ctx.state.views.values()):
        raise SlackError("duplicate_external_id")
    return external_id


@method("views.open")
def views_open(ctx: Ctx) -> dict[str, Any]:
    trigger_id = ctx.get("trigger_id")
    if trigger_id is None and ctx.get("interactivity_pointer") is not None:
        trigger_id = ctx.get("interactivity_pointer")
    trigger = ctx.state.triggers.get(str(trigger_id))
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if ctx.state.now() - trigger.issued_at > TRIGGER_TTL_SECONDS:
        raise SlackError("expired_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    payload = _view_payload(ctx, "modal")
    trigger.used = True
    view = View(id=ctx.state.new_id("V"), user=trigger.user, type="modal", payload=payload, hash=_new_hash(ctx),
                external_id=_claim_external_id(ctx, payload))
    ctx.state.views[view.id] = view
    return {"view": view_object(ctx, view)}


@method("views.publish")
def views_publish(ctx: Ctx) -> dict[str, Any]:
    user = ctx.user("user_id")
    payload = _view_payload(ctx, "home")
    home = next((v for v in ctx.state.views.values() if v.type == "home" and v.user == user.id), None)
    if home is not None and ctx.get("hash") and ctx.get("hash") != home.hash:
        raise SlackError("hash_conflict")
    if home is None:
        home = View(id=ctx.state.new_id("V"), user=user.id, type="home", payload=payload, hash="")
        ctx.state.views[home.id] = home
    home.external_id = _claim_external_id(ctx, payload, keep=home)
    home.payload, home.hash = payload, _new_hash(ctx)
    return {"view": view_object(ctx, home)}


@method("views.update")
def views_update(ctx: Ctx) -> dict[str, Any]:
    view_id, external_id = ctx.get("view_id"), ctx.get("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments",
                         response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]})
    if view_id:
        view = ctx.state.views.get(str(view_id))
    else:
        view = next((v for v in ctx.state.views.values() if v.external_id == external_id), None)
    if view is None or view.closed:
        raise SlackError("not_found")
    if ctx.get("hash") and ctx.get("hash") != view.hash:
        raise SlackError("hash_conflict")
    payload = _view_payload(ctx, view.type)
    view.external_id = _claim_external_id(ctx, payload, keep=view) or view.external_id
    view.payload, view.hash = payload, _new_hash(ctx)
    return {"view": view_object(ctx, view)}
