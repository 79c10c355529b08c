"""Request bodies Slack sends to an app's Request URL for slash commands and interactivity.

Built from the fake's state, so a click names a button that is really in the message the bot posted
(clicking a button that is not there raises: Slack could never send that request).
"""

from __future__ import annotations

import time
from typing import Any

from .state import Channel, Message, SlackState, User, View

VERIFICATION_TOKEN = "fakeDeprecatedVerificationTok"  # the legacy `token` field Slack still sends


def user_ref(state: SlackState, user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": state.team.id}


def team_ref(state: SlackState) -> dict[str, Any]:
    return {"id": state.team.id, "domain": state.team.domain}


def slash_command_form(state: SlackState, *, command: str, text: str, user: User, channel: Channel,
                       api_app_id: str, trigger_id: str, response_url: str) -> dict[str, str]:
    return {
        "token": VERIFICATION_TOKEN, "team_id": state.team.id, "team_domain": state.team.domain,
        "channel_id": channel.id, "channel_name": "directmessage" if channel.is_im else channel.name,
        "user_id": user.id, "user_name": user.name, "command": command, "text": text,
        "api_app_id": api_app_id, "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": trigger_id,
    }


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str, dict[str, Any]]:
    """(block_id, element) of the interactive element with `action_id`."""
    for block in blocks or []:
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        candidates += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise LookupError(f"no element with action_id {action_id!r}: Slack could not send this click")


def action_of(element: dict[str, Any], block_id: str, *, value: Any = None) -> dict[str, Any]:
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id, "type": element["type"],
                              "action_ts": f"{time.time():.6f}"}
    if element["type"] == "button":
        action["text"] = {**element["text"], "emoji": element["text"].get("emoji", True)}
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
    elif element["type"] in ("static_select", "overflow", "radio_buttons"):
        options = element.get("options", [])
        chosen = next((o for o in options if o.get("value") == value), options[0] if options else None)
        action["selected_option"] = chosen
    elif element["type"] == "users_select":
        action["selected_user"] = value
    elif element["type"] == "conversations_select":
        action["selected_conversation"] = value
    return action


def block_actions(state: SlackState, *, action: dict[str, Any], user: User, api_app_id: str, trigger_id: str,
                  message: Message | None = None, view: dict[str, Any] | None = None,
                  response_url: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions", "user": user_ref(state, user), "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN, "trigger_id": trigger_id, "team": team_ref(state), "enterprise": None,
        "is_enterprise_install": False, "state": {"values": {}}, "actions": [action],
    }
    if message is not None:
        channel = state.channels[message.channel]
        payload["container"] = {"type": "message", "message_ts": message.ts, "channel_id": channel.id,
                                "is_ephemeral": False}
        payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}
        payload["message"] = state.message_object(message)
        payload["response_url"] = response_url
    elif view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    return payload


def input_values(view: View, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`view.state.values` for {action_id: value}: each input's block_id, action_id and element type."""
    out: dict[str, dict[str, Any]] = {}
    for action_id, value in values.items():
        block_id, element = find_element(view.payload.get("blocks", []), action_id)
        etype = element["type"]
        if etype in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
            entry: dict[str, Any] = {"type": etype, "value": value}
        elif etype in ("static_select", "radio_buttons"):
            option = next((o for o in element.get("options", []) if o.get("value") == value), None)
            if option is None:
                raise LookupError(f"{action_id}: no option with value {value!r}")
            entry = {"type": etype, "selected_option": option}
        elif etype == "checkboxes":
            entry = {"type": etype, "selected_options": [
                o for o in element.get("options", []) if o.get("value") in value]}
        elif etype == "users_select":
            entry = {"type": etype, "selected_user": value}
        elif etype == "multi_users_select":
            entry = {"type": etype, "selected_users": list(value)}
        elif etype in ("conversations_select", "channels_select"):
            key = "selected_conversation" if etype == "conversations_select" else "selected_channel"
            entry = {"type": etype, key: value}
        else:
            entry = {"type": etype, "value": value}
        out.setdefault(block_id, {})[action_id] = entry
    return out


def view_submission(state: SlackState, *, view: dict[str, Any], values: dict[str, dict[str, Any]], user: User,
                    api_app_id: str, trigger_id: str) -> dict[str, Any]:
    return {
        "type": "view_submission", "team": team_ref(state), "user": user_ref(state, user),
        "api_app_id": api_app_id, "token": VERIFICATION_TOKEN, "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}}, "response_urls": [], "is_enterprise_install": False,
        "enterprise": None,
    }
