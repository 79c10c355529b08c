"""Discord's JSON error bodies, as the real API sends them.

Handlers raise :class:`DiscordError`; the server turns it into a response
with ``content-type: application/json`` and the documented body shape
``{"code": ..., "message": ...}`` (plus ``errors`` for 50035).
"""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    """An API error answered with ``status`` and Discord's JSON body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found_route() -> DiscordError:
    """What Discord answers for a path or method it does not know."""
    return DiscordError(404, 0, "404: Not Found")


def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_guild() -> DiscordError:
    return DiscordError(404, 10004, "Unknown Guild")


def unknown_member() -> DiscordError:
    return DiscordError(404, 10007, "Unknown Member")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def unknown_overwrite() -> DiscordError:
    return DiscordError(404, 10009, "Unknown Overwrite")


def unknown_user() -> DiscordError:
    return DiscordError(404, 10013, "Unknown User")


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> DiscordError:
    return DiscordError(404, 10062, "Unknown interaction")


def unknown_command() -> DiscordError:
    return DiscordError(404, 10063, "Unknown application command")


def unknown_voice_state() -> DiscordError:
    return DiscordError(404, 10065, "Unknown Voice State")


def unknown_stage_instance() -> DiscordError:
    return DiscordError(404, 10067, "Unknown Stage Instance")


def unknown_event() -> DiscordError:
    return DiscordError(404, 10070, "Unknown Guild Scheduled Event")


def max_events() -> DiscordError:
    return DiscordError(400, 30038, "Maximum number of uncompleted guild scheduled events reached (100)")


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def target_not_in_voice() -> DiscordError:
    return DiscordError(400, 40032, "Target user is not connected to voice.")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def not_author() -> DiscordError:
    return DiscordError(403, 50005, "Cannot edit a message authored by another user")


def wrong_channel_type() -> DiscordError:
    return DiscordError(400, 50024, "Cannot execute action on this channel type")


def stage_already_open() -> DiscordError:
    return DiscordError(400, 150006, "Stage already open")


def finished_event() -> DiscordError:
    return DiscordError(400, 180000, "Cannot update a finished event")


def field_error(path: list[str | int], code: str, message: str) -> dict[str, Any]:
    """One 50035 error, nested the way Discord nests them (list indices as strings)."""
    tree: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        tree = {str(key): tree}
    return tree


def merge_trees(trees: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for tree in trees:
        _merge_into(merged, tree)
    return merged


def _merge_into(into: dict[str, Any], tree: dict[str, Any]) -> None:
    for key, value in tree.items():
        if key == "_errors":
            into.setdefault("_errors", []).extend(value)
        else:
            _merge_into(into.setdefault(key, {}), value)


def invalid_form_body(errors: dict[str, Any]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def invalid_field(path: list[str | int], code: str, message: str) -> DiscordError:
    return invalid_form_body(field_error(path, code, message))
