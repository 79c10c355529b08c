"""Checks REST requests against Discord's vendored OpenAPI 3.1 description.

The description is loaded once per process; a validator is built lazily and
cached per operation. Request bodies are checked with JSON Schema 2020-12
(``$ref``s resolved against the whole document through a ``referencing``
registry); query parameters are checked loosely (booleans, integers and
snowflakes must parse).

Two deliberate widenings, both what the live API accepts:

* the description types every snowflake as a decimal string, while Discord
  also takes JSON integers (discord.py sends integers, e.g. ``recipient_id``
  or ``channel_id``): ``SnowflakeType`` becomes "decimal string or integer";
* permission bit sets (``allow``, ``deny``, ``permissions``,
  ``default_member_permissions``) are documented as strings, and Discord
  coerces decimal strings into integers, while the description types some of
  them as integer only (discord.py sends ``"allow": "0"``): those fields also
  take a string of digits.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import errors
from .spec_errors import leaves, query_problem, to_discord

SPEC_PATH = Path(__file__).resolve().parent.parent / "specs" / "discord_openapi.json"
SPEC_URI = "urn:discord:openapi"
API_PREFIX = "/api/v10"
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass
class Operation:
    method: str  # upper case
    template: str  # "/channels/{channel_id}/messages"
    literal_segments: int
    regex: re.Pattern[str]
    param_names: list[str]
    operation: dict[str, Any]
    query_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def operation_id(self) -> str:
        return self.operation.get("operationId", self.key)


@dataclass
class Violation:
    """One request that did not satisfy the description (or a documented rule)."""

    route: str
    path: str
    source: str  # "openapi-body", "openapi-query" or "discord-rule"
    errors: dict[str, Any]
    body: Any

    def __str__(self) -> str:
        return f"{self.route} ({self.path}) [{self.source}]: {json.dumps(self.errors)}"


@functools.lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    _widen_permission_fields(spec)
    return spec


_PERMISSION_FIELDS = ("allow", "deny", "permissions", "default_member_permissions")


def _widen_permission_fields(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name in _PERMISSION_FIELDS:
                schema = props.get(name)
                if isinstance(schema, dict) and "integer" in _types(schema):
                    props[name] = {"anyOf": [schema, {"type": "string", "pattern": "^[0-9]+$"}]}
        for value in node.values():
            _widen_permission_fields(value)
    elif isinstance(node, list):
        for value in node:
            _widen_permission_fields(value)


def _types(schema: dict[str, Any]) -> list[str]:
    kinds = schema.get("type", [])
    return kinds if isinstance(kinds, list) else [kinds]


@functools.lru_cache(maxsize=1)
def _registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class SpecChecker:
    """Routes a request path to its OpenAPI operation and validates it."""

    def __init__(self) -> None:
        self._spec = load_spec()
        self._by_segments: dict[int, list[Operation]] = {}
        self._validators: dict[str, Any] = {}
        self._results: dict[tuple[str, str], dict[str, Any] | None] = {}
        for template, item in self._spec["paths"].items():
            shared = item.get("parameters", [])
            segments = template.strip("/").split("/")
            names = [s[1:-1] for s in segments if s.startswith("{")]
            pattern = "/" + "/".join("([^/]+)" if s.startswith("{") else re.escape(s) for s in segments)
            regex = re.compile(pattern + "$")
            literal = sum(1 for s in segments if not s.startswith("{"))
            for method in _METHODS:
                if method not in item:
                    continue
                op = item[method]
                query = {
                    p["name"]: p.get("schema", {})
                    for p in [*shared, *op.get("parameters", [])]
                    if p.get("in") == "query"
                }
                entry = Operation(method.upper(), template, literal, regex, names, op, query)
                self._by_segments.setdefault(len(segments), []).append(entry)
        for entries in self._by_segments.values():
            entries.sort(key=lambda o: -o.literal_segments)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for ``method path`` (path under /api/v10) or Discord's 404."""
        if not path.startswith(API_PREFIX + "/"):
            raise errors.not_found_route()
        rest = path[len(API_PREFIX):].rstrip("/") or "/"
        count = len(rest.strip("/").split("/"))
        for op in self._by_segments.get(count, []):
            if op.method != method:
                continue
            found = op.regex.match(rest)
            if found:
                return op, dict(zip(op.param_names, found.groups()))
        raise errors.not_found_route()

    def templates_for(self, method: str) -> list[str]:
        return [o.template for ops in self._by_segments.values() for o in ops if o.method == method]

    def _validator(self, op: Operation) -> Any:
        key = op.key
        if key not in self._validators:
            content = op.operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                self._validators[key] = None
            else:
                pointer = "/".join(
                    _pointer_escape(p)
                    for p in ("paths", op.template, op.method.lower(), "requestBody", "content", "application/json", "schema")
                )
                schema = {"$ref": f"{SPEC_URI}#/{pointer}"}
                self._validators[key] = jsonschema.Draft202012Validator(schema, registry=_registry())
        return self._validators[key]

    def body_required(self, op: Operation) -> bool:
        return bool(op.operation.get("requestBody", {}).get("required"))

    def check_body(self, op: Operation, body: Any, raw: str | None = None) -> dict[str, Any] | None:
        """Discord-shaped ``errors`` tree for an invalid body, else None.

        ``raw`` (the body's text) keys a small cache: benchmarks repeat bodies.
        """
        validator = self._validator(op)
        if validator is None:
            return None
        cache_key = (op.key, raw) if raw is not None else None
        if cache_key is not None and cache_key in self._results:
            return self._results[cache_key]
        found = list(validator.iter_errors(body))
        result = errors.merge_trees([to_discord(leaf) for e in found for leaf in leaves(e)]) if found else None
        if cache_key is not None:
            if len(self._results) > 4096:
                self._results.clear()
            self._results[cache_key] = result
        return result

    def check_query(self, op: Operation, query: dict[str, str]) -> dict[str, Any] | None:
        trees = []
        for name, value in query.items():
            schema = op.query_params.get(name)
            if schema is None:
                continue
            problem = query_problem(schema, value)
            if problem:
                trees.append(errors.field_error([name], *problem))
        return errors.merge_trees(trees) if trees else None


def truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1", "yes")


@functools.lru_cache(maxsize=1)
def shared_checker() -> SpecChecker:
    """One checker per process, so validators are compiled once."""
    return SpecChecker()
