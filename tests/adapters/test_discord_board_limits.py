"""The board within Discord's embed limits: a field's value holds at most 1,024 characters and a whole embed
6,000; a board over either is refused by Discord, and every later edit with it. A busy stage's board cuts its
lists with "… and N more" instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.discord import (  # noqa: F401 - fixtures
    Bot, embed_text, mention, podium_errors, reply, world)

PANEL = "Panel"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


@pytest.fixture
async def panel_bot(world, tmp_path: Path, podium_errors):
    # Members with the panel role are given the floor as soon as they raise a hand; each speaker shows a timer.
    running = Bot(world.fake, tmp_path / "podium.db", rules={
        "max_speakers": 100, "speaking_time_limit": 3600, "auto_approve": [PANEL], "must_be_present": False})
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def fields(board) -> dict[str, str]:
    return {f["name"].split(" (")[0]: f["value"] for f in board.embeds[0]["fields"]}


async def test_a_board_with_forty_speakers_is_still_accepted_and_says_how_many_are_not_listed(world, panel_bot):
    fake, bot = world.fake, panel_bot
    panel = fake.add_role(world.guild, PANEL, 0)
    speakers = [fake.add_member(world.guild, f"speaker{n:02d}", roles=[panel]).user for n in range(40)]
    for user in speakers:
        fake.member_join_voice(world.guild, user, world.stage)
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    for user in speakers:
        await bot.command(world, user, "hand", "raise")
    await fake.wait_for(lambda: "Speakers (40/100)" in bot.board_text(world), timeout=5)
    listed = fields(bot.board(world))["Speakers"]
    assert len(listed) <= 1024
    shown = sum(1 for user in speakers if mention(user) in listed)
    assert 10 < shown < 40
    assert listed.endswith(f"… and {40 - shown} more")
    assert [c.status for c in fake.calls(EDIT)].count(400) == 0


async def test_ten_waiting_with_long_notes_fit_the_queue_field(world, panel_bot):
    fake, bot = world.fake, panel_bot
    waiting = [fake.add_member(world.guild, f"waiting{n:02d}").user for n in range(12)]
    await bot.command(world, world.alice, "stage", "open", title="Town hall")
    # Markdown in a note is escaped on the board, which makes it longer than what the member typed.
    note = "about *__init__* of my_module_v2_final_b, **~~old~~** plan_a_b_c_d_e_f_g_h_i_j_k_l_m_n"
    for user in waiting:
        answered = await bot.command(world, user, "hand", "raise", note=note)
        assert reply(answered).startswith("Hand raised")
    await fake.wait_for(lambda: "Queue (12)" in bot.board_text(world), timeout=5)
    queue = fields(bot.board(world))["Queue"]
    assert len(queue) <= 1024
    assert mention(waiting[0]) in queue and queue.endswith("more")
    assert [c.status for c in fake.calls(EDIT)].count(400) == 0


def more(count: int) -> str:
    return f"… and {count} more"


@pytest.mark.parametrize("size", [1023, 1024, 1025])
def test_lines_are_kept_whole_while_they_fit_then_the_others_are_counted(size: int) -> None:
    from adapters.fit import fit_lines

    lines = ["a" * 512, "b" * (size - 513)]  # with the newline between them: `size` characters
    text = fit_lines(lines, 1024, more)
    assert text == ("\n".join(lines) if size <= 1024 else f"{'a' * 512}\n… and 1 more")
    assert fit_lines([*lines, "c"], 1024, more) == f"{'a' * 512}\n… and 2 more"
    assert fit_lines(lines[:1], 1024, more, hidden=7) == f"{'a' * 512}\n… and 7 more"
    assert fit_lines([], 1024, more, hidden=7) == "… and 7 more"


def test_a_board_with_everything_at_its_longest_stays_within_6000_in_all() -> None:
    from datetime import UTC, datetime

    from adapters.discord.board_view import board_embed
    from bot.domain.rules import Rules
    from bot.ports import Board, QueueLine, SpeakerLine, StageRef

    now = datetime(2026, 12, 4, tzinfo=UTC)
    ids = [str(10**18 + n) for n in range(100)]
    board = Board(
        ref=StageRef("s1", "discord", "g1", "c1", "T" * 300), state="live", topic="topic " * 1000, host_id=ids[0],
        visibility="public", capacity=0, hands_locked=True, rules=Rules(max_speakers=100, record=True),
        speakers=tuple(SpeakerLine(i, now, 600) for i in ids), queue=tuple(
            QueueLine(n + 1, i, "_*" * 200, False) for n, i in enumerate(ids[:10])), queue_length=5000,
        present_count=100, moderators=tuple(ids), taken_at=now, version=1)
    embed = board_embed(board, "en")
    assert len(embed) <= 6000 and len(embed.title or "") == 256 and embed.title.endswith("…")
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    speakers, queue, _, moderators = (f.value or "" for f in embed.fields)
    assert speakers.endswith(f"… and {100 - speakers.count('<@')} more")
    assert queue.endswith(f"… and {5000 - queue.count('<@'):,} more") and queue.count("<@") < 10
    assert moderators.endswith(f"… and {100 - moderators.count('<@')} more")
    description = embed.description or ""
    assert description.endswith("Hands are locked.\n🔴 Recording: only members who accepted (button below) are heard.")
    assert description.startswith("topic topic") and "…\n🔒" in description
    assert len(embed) >= 6000 - 1  # the topic took what was left, no more
