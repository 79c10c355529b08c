"""Checks each Web API call against Slack's vendored Swagger 2.0 description.

What is checked, per method operation: required parameters present (`token` travels in the
`Authorization` header and is checked by the server, not here), no parameter the method does not
take, scalar types (integer, number, boolean; everything arrives as a string in a form body), JSON
strings (`blocks`, `attachments`, `view`, `metadata`) that parse, no JSON `null`, and a JSON body
only for methods whose `consumes` lists `application/json`.

The description is from 2021-09 and lags Slack. Each leniency below says why it exists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parent.parent / "specs" / "slack_web_openapi_v2.json"

# Parameters that are JSON documents: a JSON-encoded string in a form body, a native array/object
# (or a JSON string) in a JSON body, as Slack accepts.
JSON_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "user_auth_blocks"})

# LENIENCY: slack_sdk adds `team_id` to every call's parameters when its client was made with a
# team_id, and bolt makes one such client per request (team of the request). Slack accepts
# `team_id` on every method (it selects the workspace of an org-wide install).
EVERY_METHOD_EXTRA: dict[str, str] = {"team_id": "string"}

# LENIENCY: parameters Slack added after the 2021 description, which slack_sdk 3.4x sends.
NEWER_PARAMS: dict[str, dict[str, str]] = {
    # message metadata (2022), markdown_text (2025), container_id (2025)
    "chat.postMessage": {"metadata": "string", "markdown_text": "string", "container_id": "string"},
    # metadata, markdown_text, file_ids and reply_broadcast are documented on chat.update today
    "chat.update": {"metadata": "string", "markdown_text": "string", "file_ids": "string",
                    "reply_broadcast": "boolean"},
    "chat.postEphemeral": {"markdown_text": "string"},
    # interactivity_pointer is the workflow-step alternative to trigger_id
    "views.open": {"interactivity_pointer": "string"},
    "views.push": {"interactivity_pointer": "string"},
    "conversations.open": {"prevent_creation": "boolean"},
    # include_all_metadata: message metadata in history (2022)
    "conversations.history": {"include_all_metadata": "boolean"},
    "conversations.replies": {"include_all_metadata": "boolean"},
    "conversations.invite": {"force": "boolean"},
    "team.info": {"domain": "string", "include_slackbot_availability": "boolean"},
}

# LENIENCY: a required parameter that has a documented alternative.
ALTERNATIVES: dict[str, dict[str, str]] = {
    "views.open": {"trigger_id": "interactivity_pointer"},
}

# LENIENCY (not a check): the description lists some POST methods as GET (views.open,
# views.publish, views.update, auth.test) and says `in: query` vs `in: formData`. Slack serves
# every method over GET and POST and reads the query string and the body alike; slack_sdk sends
# `params=` on POST for e.g. conversations.kick. So the HTTP verb and the parameter location are
# not checked; the server merges query string and body.

_BOOL_STRINGS = frozenset({"true", "false", "1", "0"})
_INT = re.compile(r"-?\d+\Z")


@dataclass
class SpecViolation:
    method: str
    messages: list[str]
    args: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method}: {'; '.join(self.messages)}"


# Granular bot scopes that Slack accepts today where the description predates them.
GRANULAR: dict[str, set[str]] = {"conversations.join": {"channels:join"}}


class SlackSpec:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.path = path

    @cached_property
    def _paths(self) -> dict[str, Any]:
        return json.loads(self.path.read_text())["paths"]

    def operation(self, method: str) -> dict[str, Any] | None:
        item = self._paths.get("/" + method)
        if not item:
            return None
        return item.get("post") or item.get("get")

    def knows(self, method: str) -> bool:
        return self.operation(method) is not None

    def scopes(self, method: str) -> set[str]:
        """Any one of these bot scopes lets a token call the method (the description's `chat:write:bot` is
        today's granular `chat:write`); empty: no scope needed."""
        op = self.operation(method) or {}
        named = {scope for rule in op.get("security") or [] for scopes in rule.values() for scope in scopes}
        scopes = {scope.removesuffix(":bot").removesuffix(":user") for scope in named} - {"none", ""}
        return scopes | GRANULAR.get(method, set())

    def parameters(self, method: str) -> dict[str, tuple[str, bool]]:
        """name -> (type, required), without `token`, with the leniencies added."""
        op = self.operation(method) or {"parameters": []}
        params = {p["name"]: (p.get("type", "string"), bool(p.get("required")))
                  for p in op["parameters"] if p["name"] != "token"}
        for name, typ in {**EVERY_METHOD_EXTRA, **NEWER_PARAMS.get(method, {})}.items():
            params.setdefault(name, (typ, False))
        return params

    def check(self, method: str, args: dict[str, Any], *, json_body: bool) -> list[str]:
        """Slack-style `[ERROR] ...` messages; empty when the call conforms."""
        op = self.operation(method)
        if op is None:
            return []
        messages: list[str] = []
        if json_body and "application/json" not in op.get("consumes", []):
            messages.append(f"[ERROR] {method} does not accept a JSON body; send form data")
        params = self.parameters(method)
        alternatives = ALTERNATIVES.get(method, {})
        for name, (_, required) in params.items():
            if required and name not in args and alternatives.get(name) not in args:
                messages.append(f"[ERROR] missing required field: {name} [json-pointer:/{name}]")
        for name, value in args.items():
            if name == "token":
                continue
            if name not in params:
                messages.append(f"[ERROR] unknown field: {name} [json-pointer:/{name}]")
                continue
            problem = _type_problem(name, params[name][0], value, json_body=json_body)
            if problem:
                messages.append(f"[ERROR] {problem} [json-pointer:/{name}]")
        return messages


def _type_problem(name: str, typ: str, value: Any, *, json_body: bool) -> str | None:
    if value is None:
        return "null is not allowed"
    if name in JSON_FIELDS:
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                return f"{name} must be a JSON-encoded string"
            return None
        if json_body and isinstance(value, (list, dict)):
            return None
        return f"{name} must be a JSON-encoded string"
    if isinstance(value, (list, dict)):
        return "arrays and objects are not allowed here" + ("" if json_body else " (form field)")
    if typ == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and bool(_INT.match(value)))
        return None if ok else "expected an integer"
    if typ == "number":
        if isinstance(value, bool):
            return "expected a number"
        try:
            float(value)
        except (TypeError, ValueError):
            return "expected a number"
        return None
    if typ == "boolean":
        ok = isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)) or (
            isinstance(value, str) and value.lower() in _BOOL_STRINGS)
        return None if ok else "expected a boolean (true, false, 1, 0)"
    # "string": any scalar; in a JSON body Slack coerces booleans and numbers (slack_sdk sends
    # `as_user` as a JSON boolean where the description types it string).
    return None
