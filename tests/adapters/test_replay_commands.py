"""Issue 16's typed commands, one row each in the command table, on every platform: the console, Slack (signed
slash commands into the real bolt app) and Discord (interactions built from the table, on the real discord.py).

The same steps run on each: turning recording on and off (`/stage record`, `record=on` when opening and
scheduling), a member's consent (`/record consent on|off`), a moderator striking a voice before publication
(`/stage strike`), a member taking their own voice out (`/record remove`), the replays listed (`/stage replays`)
and deleted (`/stage replay delete ID`, by an unambiguous start of the id). Each step gets the same answer and
leaves the same stored state on every platform.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain import errors
from bot.domain.recording import NotYourSegment, ReplayNotFound
from bot.i18n.catalog import render
from bot.i18n.message import Message
from bot.services.recordings import Replay
from bot.surface import errors as surface_errors
from bot.surface.grammar import Grammar
from bot.surface.rows import Kind
from bot.surface.table import TABLE
from bot.surface.values import convert
from tests.support.discord import Bot, podium_errors, reply, world  # noqa: F401
from tests.support.slack import slack_world

OK = "ok"
TYPED = "typed"  # words only typed text can carry (Discord's fields refuse them before Podium sees them)
NAMES = ("alice", "bob", "carol", "dave")
GRAMMAR = Grammar(TABLE)
RULES = {"must_be_present": False, "hand_cooldown": 0}
NO_REPLAYS = "No replays are kept here."
KEEP = "keep a replay"  # not typed: the stage's replay is written (Discord's recorder does it at close)

# (who, line as typed in the console, expected outcome, the stored state after it: only what changed)
STEPS: list[tuple[str, str, object, dict[str, Any]] | tuple[str, str, object, dict[str, Any], str]] = [
    ("alice", "/stage open Town hall record=on", OK, {"record": True}),
    ("alice", "/stage record off", OK, {"record": False}),
    ("carol", "/stage record on", errors.NotModerator, {}),
    ("alice", "/stage record On", OK, {"record": True}),
    ("alice", "/stage record maybe", surface_errors.BadValue, {}, TYPED),
    ("alice", "/stage record on please", surface_errors.LeftOver, {}, TYPED),
    ("carol", "/record consent on", OK, {"consented": ["carol"]}),
    ("dave", "/record consent oui", OK, {"consented": ["carol", "dave"]}),
    ("dave", "/record consent off", OK, {"consented": ["carol"]}),
    ("carol", "/stage strike dave", NotYourSegment, {}),
    ("alice", "/stage strike dave", OK, {"struck": ["dave"]}),
    ("alice", "/stage strike nobody", errors.UnknownMember, {}, TYPED),  # Discord picks members from a list
    ("carol", "/record remove", OK, {"struck": ["carol", "dave"]}),
    ("alice", "/stage replays", OK, {}),
    ("alice", KEEP, OK, {"replays": 1}),
    ("carol", "/stage replays", OK, {}),
    ("carol", "/stage strike bob replay={replay}", NotYourSegment, {}),
    ("alice", "/stage strike bob replay={replay}", OK, {"struck": ["bob", "carol", "dave"]}),
    ("bob", "/record remove {replay}", OK, {}),
    ("carol", "/stage replay delete {replay}", errors.NotModerator, {}),
    ("alice", "/stage replay delete {replay}", OK, {"replays": 0}),
    ("alice", "/stage replay delete {replay}", ReplayNotFound, {}),
    ("alice", "/stage close", OK, {"record": None}),
    ("alice", "/stage schedule Weekly AMA start=2027-01-05 18:00 tz=UTC record=on", OK,
     {"scheduled": [("Weekly AMA", True)]}),
    ("alice", "/stage schedule Daily AMA start=2027-01-06 18:00 tz=UTC", OK,
     {"scheduled": [("Daily AMA", False), ("Weekly AMA", True)]}),
]
START = {"record": None, "consented": [], "struck": [], "replays": 0, "scheduled": []}


def expected_states() -> list[dict[str, Any]]:
    states, state = [], dict(START)
    for step in STEPS:
        state = {**state, **step[3]}
        states.append(state)
    return states


def refused_with(answer: str) -> str:
    """The refusal an answer begins with (its sentence's words before the first value), else "ok"."""
    for error in (errors.NotModerator, NotYourSegment, ReplayNotFound, surface_errors.BadValue,
                  surface_errors.LeftOver, errors.UnknownMember):
        pattern = re.sub(r"\\\{\w+\\\}", ".+?", re.escape(error.message))
        if re.match(pattern, answer.strip(), re.S):
            return error.__name__
    return OK


def expected_outcome(value: object) -> str:
    return value if isinstance(value, str) else value.__name__  # type: ignore[attr-defined]


async def state_of(app: Any, platform: str, space_id: str, channel_id: str, names: dict[str, str]) -> dict[str, Any]:
    def n(user_id: str) -> str:
        return names.get(user_id, user_id)

    try:
        stage_id = await app.queries.live_stage(platform, space_id, channel_id)
        record = (await app.queries.board(stage_id)).rules.record
    except errors.StageNotFound:
        record = None
    with app.db.engine.connect() as conn:
        consented = sorted(n(u) for u, in conn.execute(text(
            "SELECT user_id FROM recording_consent WHERE accepted AND platform = :p AND space_id = :s"),
            {"p": platform, "s": space_id}))
        struck = sorted(n(u) for u, in conn.execute(text("SELECT user_id FROM replay_strike")))
        scheduled = sorted((t, bool(r)) for t, r in conn.execute(text(
            "SELECT title, record FROM schedule WHERE platform = :p"), {"p": platform}))
    return {"record": record, "consented": consented, "struck": struck,
            "replays": len(await app.recordings.replays(platform, space_id)), "scheduled": scheduled}


async def keep_replay(app: Any, platform: str, space_id: str, channel_id: str) -> str:
    """The live stage's replay, as the recorder keeps it once mixed; its id is the stage's."""
    stage_id = await app.queries.live_stage(platform, space_id, channel_id)
    now = app.clock.now()
    folder = app.recordings.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stage_id}.ogg").write_bytes(b"OggS")
    await app.recordings.published(Replay(
        id=stage_id, stage_id=stage_id, platform=platform, space_id=space_id, channel_id=channel_id,
        title="Town hall", file=f"{stage_id}.ogg", bytes=4, seconds=754.0, speakers=("carol",), chapters=(),
        created_at=now, expires_at=now + timedelta(days=30)))
    return stage_id


def settings(path: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{path / 'console.db'}", default_locale="en",
                    rules=RULES, replay_dir=path / "replays")


async def run_console(tmp_path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    lines: list[str] = []
    session = ConsoleSession(settings(tmp_path), write=lines.append, clock=ManualClock())
    await session.start()
    results, replay = [], ""
    try:
        for step in STEPS:
            await session.execute(f"/as {step[0]}")
            del lines[:]
            if step[1] == KEEP:
                replay = (await keep_replay(session.app, "console", "demo", "stage"))[:6]
                answer, outcome = "", OK
            else:
                await session.execute(step[1].replace("{replay}", replay))
                answer = "\n".join(x.lstrip("✓✗ ") for x in lines)
                outcome = refused_with(answer) if any(x.startswith("✗ ") for x in lines) else OK
            results.append((outcome, answer, await state_of(session.app, "console", "demo", "stage", {})))
    finally:
        await session.stop()
    return results


def slack_text(line: str, ids: dict[str, str]) -> str:
    """The same words under Slack's one slash command (`/stage record consent on`), members as mentions."""
    said = line.lstrip("/").split()
    row = max((r for r in TABLE if [w.lower() for w in said[:len(r.path)]] == list(r.path)),
              key=lambda r: len(r.path))
    rest = [f"<@{ids[w]}|{w}>" if w in ids else w for w in said[len(row.path):]]
    return " ".join([row.flat, *rest])


async def run_slack(tmp_path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    results, replay = [], ""
    async with slack_world(tmp_path, rules=RULES) as w:
        ids = {name: w[name].id for name in NAMES}
        names = {v: k for k, v in ids.items()}
        for step in STEPS:
            if step[1] == KEEP:
                replay = (await keep_replay(w.app, "slack", w.fake.team.id, w.room.id))[:6]
                answer, outcome = "", OK
            else:
                answer = (await w.command(step[0], slack_text(step[1].replace("{replay}", replay), ids))).text
                outcome = refused_with(answer)
            results.append((outcome, answer, await state_of(w.app, "slack", w.fake.team.id, w.room.id, names)))
    return results


def discord_options(line: str, ids: dict[str, str]) -> tuple[tuple[str, ...], dict[str, Any]]:
    parsed = GRAMMAR.parse(line)
    options: dict[str, Any] = {}
    for option in parsed.row.options:
        typed = parsed.typed.get(option.name)
        if typed is None:
            continue
        match option.kind:
            case Kind.MEMBER:
                options[option.name] = ids.get(typed, typed)
            case Kind.FLAG | Kind.CHOICE:
                options[option.name] = convert(option, typed)
            case _:
                options[option.name] = typed
    return parsed.row.path, options


@pytest.fixture
async def discord_results(world, tmp_path: Path, podium_errors) -> list[tuple[str, str, dict[str, Any]]]:  # noqa: F811
    users = {"alice": world.alice, "bob": world.bob, "carol": world.carol, "dave": world.dave}
    ids = {name: str(user.id) for name, user in users.items()}
    names = {v: k for k, v in ids.items()}
    bot = Bot(world.fake, tmp_path / "discord.db", rules=RULES)
    await bot.start()
    bot.adapter.platform.cues.enabled = False  # no voice server here: the commands, not the capture
    bot.app.recordings.folder = tmp_path / "discord-replays"
    results, replay = [], ""
    try:
        space, channel = str(world.guild.id), str(world.stage.id)
        for step in STEPS:
            if len(step) > 4:  # Discord's fields cannot carry these words: nothing is sent, nothing changes
                results.append((expected_outcome(step[2]), "", await state_of(bot.app, "discord", space, channel,
                                                                               names)))
                continue
            if step[1] == KEEP:
                replay = (await keep_replay(bot.app, "discord", space, channel))[:6]
                answer = ""
            else:
                path, options = discord_options(step[1].replace("{replay}", replay), ids)
                answer = reply(await bot.command(world, users[step[0]], *path, **options))
            results.append((refused_with(answer) if answer else OK, answer,
                            await state_of(bot.app, "discord", space, channel, names)))
    finally:
        await bot.stop()
    return results


async def test_replay_commands_do_the_same_on_every_platform(discord_results, tmp_path: Path) -> None:
    platforms = {"console": await run_console(tmp_path / "c"), "slack": await run_slack(tmp_path / "s"),
                 "discord": discord_results}
    for index, (step, state) in enumerate(zip(STEPS, expected_states(), strict=True)):
        for platform, results in platforms.items():
            outcome, answer, stored = results[index]
            assert outcome == expected_outcome(step[2]), (platform, step[1], answer)
            assert stored == state, (platform, step[1], answer)
    # Slack says at once that it cannot record, when recording is turned on there.
    for index, step in enumerate(STEPS):
        if step[1] in ("/stage open Town hall record=on", "/stage record On"):
            assert "Slack gives bots no huddle audio" in platforms["slack"][index][1], step
            assert "huddle" not in platforms["discord"][index][1] + platforms["console"][index][1], step
    # What members read of the replays: none, then the one kept, with its length as a duration.
    for platform, results in platforms.items():
        listed = [results[i][1] for i, step in enumerate(STEPS) if step[1] == "/stage replays"]
        assert NO_REPLAYS in listed[0] and "Town hall" in listed[1] and "12 min 34 s" in listed[1], (platform, listed)


def test_every_replay_command_is_a_row_with_help_in_both_languages() -> None:
    from bot.i18n.catalog import catalogue

    french = catalogue("fr")
    wanted = {"stage record", "stage strike", "stage replays", "stage replay delete", "record consent",
              "record remove"}
    rows = {row.name: row for row in TABLE}
    assert wanted <= set(rows)
    for name in wanted:
        assert rows[name].help in french and all(o.help in french for o in rows[name].options), name
    for name in ("stage open", "stage schedule"):
        assert rows[name].option("record") is not None, name
    assert render(Message(rows["stage replay delete"].help), "en")
    # Discord names a group's subcommands in each language: no two alike in French either.
    for locale in ("en", "fr"):
        names = [(row.path[:-1], render(Message(row.path[-1]), locale)) for row in TABLE]
        assert len(names) == len(set(names)), locale


def test_every_board_says_the_stage_is_recorded() -> None:
    """The console's board too (issue 16: "the board … see[s] that the stage is being recorded")."""
    from adapters.console.render import board_text, sayer
    from adapters.discord.board_view import board_embed
    from adapters.slack.blocks import board_blocks
    from adapters.slack.text import sayer as slack_sayer
    from bot.services.board import board_of
    from tests.support.builders import NOW, open_stage

    recorded, plain = board_of(open_stage(record=True), NOW), board_of(open_stage(), NOW)
    console = [line for line in board_text(recorded, sayer("fr")) if "🔴" in line]
    assert len(console) == 1 and "/record consent on" in console[0], console
    assert not any("🔴" in line for line in board_text(plain, sayer("en")))
    assert "Recording" in str(board_embed(recorded, "en").to_dict())
    assert "Recording is on" in str(board_blocks(recorded, slack_sayer("en")))


def test_the_readme_lists_the_replay_commands_and_says_what_is_not_there() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Replays"):readme.index("## ", readme.index("## Replays") + 3)]
    for command in ("/stage record on", "/record consent on", "/stage strike MEMBER", "/record remove [ID]",
                    "/stage replays", "/stage replay delete ID", "record=on"):
        assert command in section, command
    assert "Why there is no Slack recording" in section and "no access to huddle audio" in section
    env = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    for variable in ("REPLAY_S3_BUCKET", "REPLAY_S3_ENDPOINT_URL", "REPLAY_S3_REGION", "REPLAY_S3_ACCESS_KEY_ID",
                     "REPLAY_S3_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"):
        assert variable in section and variable in env, variable
