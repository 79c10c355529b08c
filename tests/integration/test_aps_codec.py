"""Every core command survives the trip into a stored job and back, through JSON, unchanged."""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain import commands
from bot.domain.commands import Command
from bot.domain.members import Actor
from scheduler.codec import CodecError, command_classes, decode, encode

PARIS = ZoneInfo("Europe/Paris")


def sample(hint: Any, name: str) -> Any:
    """A value of the declared type, unlike any default, so a field dropped on the way is noticed."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return sample(next(a for a in args if a is not type(None)), name)
    if hint is str:
        return f"{name}: é ✓"
    if hint is bool:
        return True
    if hint is int:
        return 7_200
    if hint is float:
        return 1.25
    if hint is datetime:
        return datetime(2026, 10, 25, 2, 30, 0, 123456, tzinfo=PARIS).replace(fold=1)  # the second 02:30
    if hint is date:
        return date(2026, 3, 29)
    if hint is timedelta:
        return timedelta(days=1, seconds=5, microseconds=7)
    if hint is Actor:
        return Actor("u-1", roles=frozenset({"speaker", "mod"}), platform_moderator=True, guest=True)
    if inspect.isclass(hint) and issubclass(hint, Enum):
        return list(hint)[-1]
    if origin is frozenset:
        return frozenset(sample(args[0], f"{name}{i}") for i in range(3))
    if origin is tuple:
        return tuple(sample(args[0], f"{name}{i}") for i in range(2))
    if origin is list:
        return [sample(args[0], f"{name}{i}") for i in range(2)]
    if origin is dict:
        return {sample(args[0], f"{name}-key{i}"): sample(args[1], f"{name}-value{i}") for i in range(2)}
    pytest.fail(f"no sample value for {name}: {hint!r}; teach this test (and scheduler/codec.py) the type")


def example(cls: type[Command]) -> Command:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: sample(hints[f.name], f.name) for f in dataclasses.fields(cls) if f.init})


def round_trip(command: Command) -> Command:
    return decode(json.loads(json.dumps(encode(command))))


def test_the_codec_knows_every_command_of_the_core() -> None:
    declared = {name for name, value in vars(commands).items()
                if inspect.isclass(value) and issubclass(value, Command)}
    assert declared <= set(command_classes())
    assert {"ExpireDue", "SetRules", "OpenStage"} <= declared


@pytest.mark.parametrize("cls", sorted(command_classes().values(), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_command_round_trips_through_json(cls: type[Command]) -> None:
    command = example(cls)
    back = round_trip(command)
    assert type(back) is cls
    assert back == command
    for f in dataclasses.fields(cls):
        ours, theirs = getattr(command, f.name), getattr(back, f.name)
        assert type(theirs) is type(ours), f.name
        if isinstance(ours, datetime):
            assert (theirs.tzinfo, theirs.fold, theirs.utcoffset()) == (ours.tzinfo, ours.fold, ours.utcoffset())


def test_values_keep_their_types() -> None:
    command = commands.OpenStage(
        actor=Actor("host", roles=frozenset({"a", "b"})), platform="discord", space_id="1", channel_id="2",
        title="Town hall", visibility="private", capacity=3, present=frozenset({"x", "y"}))
    back = round_trip(command)
    assert back == command and isinstance(back.present, frozenset) and isinstance(back.actor.roles, frozenset)
    rules = commands.SetRules(actor=Actor("host"), stage_id="s", changes={"max_speakers": "3", "cues": "on"})
    assert round_trip(rules).changes == {"max_speakers": "3", "cues": "on"}


def test_moments_keep_their_zone_or_offset() -> None:
    for moment in (datetime(2026, 3, 2, 18, 0, 0, 123456, tzinfo=UTC),
                   datetime(2026, 3, 2, 18, 0, tzinfo=timezone(timedelta(hours=-5))),
                   datetime(2026, 7, 1, 18, 0, tzinfo=PARIS)):
        back = round_trip(commands.CancelSchedule(actor=Actor("h"), schedule_id="s", occurrence=moment))
        assert back.occurrence == moment  # type: ignore[attr-defined]
        assert back.occurrence.utcoffset() == moment.utcoffset()  # type: ignore[attr-defined]


def test_the_same_command_always_encodes_to_the_same_text() -> None:
    one = commands.OpenStage(actor=Actor("h"), platform="p", space_id="s", channel_id="c", title="t",
                             present=frozenset(f"member-{i}" for i in range(50)))
    other = dataclasses.replace(one, present=frozenset(sorted(one.present, reverse=True)))
    assert json.dumps(encode(one)) == json.dumps(encode(other))


def test_what_cannot_be_stored_is_refused_when_scheduling() -> None:
    with pytest.raises(CodecError):
        encode(commands.SetRules(actor=Actor("h"), stage_id="s", changes={"k": object()}))  # type: ignore[dict-item]
    with pytest.raises(CodecError):
        encode("ExpireDue")  # type: ignore[arg-type]


def test_stored_data_builds_only_commands_and_values_of_the_domain() -> None:
    with pytest.raises(CodecError, match="no command"):
        decode({"command": "Shutdown", "fields": {}})
    with pytest.raises(CodecError, match="not a class of the core"):
        decode({"command": "ExpireDue", "fields": {"stage_id": "s", "actor": {"$data": "os:system", "fields": {}}}})
