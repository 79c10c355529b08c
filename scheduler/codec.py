"""Core commands as plain JSON-able data, so a stored job holds data and never a pickled object of ours.

A command is ``{"command": <class name>, "fields": {...}}``. Values JSON has no word for are tagged:
``{"$datetime": iso}``, ``{"$frozenset": [...]}``, ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}``,
``{"$enum": "module:Name", "value": ...}`` and ``{"$data": "module:Name", "fields": {...}}`` for value objects
such as ``Actor``. Decoding only builds Command subclasses and classes of ``bot.domain``.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.commands import Command

_DOMAIN = "bot.domain."


class CodecError(ValueError):
    """A value a command cannot be stored with, or stored data that names no known command."""


def encode(command: Command) -> dict[str, Any]:
    if not isinstance(command, Command):
        raise CodecError(f"not a core command: {command!r}")
    return {"command": type(command).__name__, "fields": _fields(command)}


_known: dict[str, type[Command]] = {}


def decode(data: dict[str, Any]) -> Command:
    name = data.get("command")
    cls = _known.get(name)  # type: ignore[arg-type]
    if cls is None:  # a command class imported since the last look
        _known.clear()
        _known.update(command_classes())
        cls = _known.get(name)  # type: ignore[arg-type]
    if cls is None:
        raise CodecError(f"no command named {name!r}")
    return cls(**{key: _decode(value) for key, value in data["fields"].items()})


def command_classes() -> dict[str, type[Command]]:
    """Every Command subclass imported so far, by class name (names are unique across the core)."""
    found: dict[str, type[Command]] = {}
    pending: list[type[Command]] = [Command]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # ``dataclass(slots=True)`` replaces a class with a new one; the discarded original may linger
        # among the subclasses until collected. The class its module names is the real one.
        if getattr(sys.modules.get(cls.__module__), cls.__qualname__, None) is not cls:
            continue
        if cls.__name__ in found and found[cls.__name__] is not cls:
            raise CodecError(f"two commands are named {cls.__name__}")
        found[cls.__name__] = cls
    return found


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"$enum": _ref(type(value)), "value": value.value}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, datetime):
        if isinstance(value.tzinfo, ZoneInfo):  # the offset alone would lose the zone's future changes
            return {"$datetime": value.replace(tzinfo=None).isoformat(), "zone": value.tzinfo.key,
                    "fold": value.fold}
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, ZoneInfo):
        return {"$zone": value.key}
    if isinstance(value, frozenset):
        # Sorted by their JSON text so one command always gives the same bytes.
        return {"$frozenset": sorted((_encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$data": _ref(type(value)), "fields": _fields(value)}
    raise CodecError(f"cannot store a {type(value).__name__} in a scheduled command: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$datetime" in value:
        moment = datetime.fromisoformat(value["$datetime"])
        if "zone" in value:
            moment = moment.replace(tzinfo=ZoneInfo(value["zone"]), fold=value["fold"])
        return moment
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$timedelta" in value:
        days, seconds, micro = value["$timedelta"]
        return timedelta(days=days, seconds=seconds, microseconds=micro)
    if "$zone" in value:
        return ZoneInfo(value["$zone"])
    if "$frozenset" in value:
        return frozenset(_decode(v) for v in value["$frozenset"])
    if "$tuple" in value:
        return tuple(_decode(v) for v in value["$tuple"])
    if "$dict" in value:
        return {_decode(k): _decode(v) for k, v in value["$dict"]}
    if "$enum" in value:
        return _resolve(value["$enum"])(value["value"])
    if "$data" in value:
        return _resolve(value["$data"])(**{k: _decode(v) for k, v in value["fields"].items()})
    raise CodecError(f"unknown stored value {value!r}")


def _ref(cls: type) -> str:
    if not cls.__module__.startswith(_DOMAIN):
        raise CodecError(f"{cls.__module__}.{cls.__qualname__} is not a value of the core's domain")
    return f"{cls.__module__}:{cls.__qualname__}"


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    if not module.startswith(_DOMAIN) or not name.isidentifier():
        raise CodecError(f"refusing to build {ref!r}: not a class of the core's domain")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise CodecError(f"no class {ref!r}") from None
