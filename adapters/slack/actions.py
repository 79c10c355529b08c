"""Board buttons, the raise-hand modal, App Home buttons and the RSVP buttons of a scheduled stage's
announcement: each click becomes one core command.

Every click is acknowledged once its command committed (or once the click is kept in the durable inbox,
see replies.py). Opening the modal stores nothing: it is acked first, as the trigger_id it needs expires
three seconds after the click.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from adapters.slack import clicks, home
from adapters.slack.announcements import GOING, NOT_GOING
from adapters.slack.blocks import AUDIENCE, LOWER, NEXT, NOTE_BLOCK, NOTE_INPUT, QUEUE, RAISE, RAISE_MODAL, raise_modal
from adapters.slack.commands import CANNOT_UNMUTE
from adapters.slack.replies import Outcome, Send, with_note
from adapters.slack.text import sayer
from bot.domain import commands as c
from bot.surface.errors import Unreadable

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter, Where


def _indexed(action_id: str) -> re.Pattern[str]:
    return re.compile(rf"^{action_id}(_\d+)?$")


def team_of(body: dict[str, Any]) -> str:
    """The workspace of a click (the gate let in only requests naming one)."""
    return str(_object(body.get("team")).get("id") or body["user"]["team_id"])


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def register(bolt: Any, adapter: SlackAdapter) -> None:
    from adapters.slack.adapter import Where

    def where_of(body: dict[str, Any]) -> Where:
        channel = _object(body.get("channel")).get("id")
        message = _object(body.get("message"))
        return Where(team_id=team_of(body), user_id=body["user"]["id"], channel_id=channel,
                     thread_ts=message.get("thread_ts"))

    def send_for(body: dict[str, Any], respond: Any, where: Where) -> Send:
        if body.get("response_url"):
            return adapter.replies.by_response_url(respond)
        return adapter.replies.in_channel(where.channel_id, where.user_id, where.thread_ts)

    async def run(body: dict[str, Any], respond: Any, what: str,
                  work: Callable[[Where], Awaitable[Outcome]], ack: Any = None) -> None:
        where = where_of(body)
        async def republish() -> None:
            await home.publish_quietly(adapter, where.team_id, where.user_id)

        await adapter.replies.run(lambda: work(where), send=send_for(body, respond, where),
                                  team_id=where.team_id, user_id=where.user_id, what=what,
                                  ack=ack, request=body if ack is not None else None,
                                  then=republish if _object(body.get("view")).get("type") == "home" else None)

    @bolt.action(_indexed(RAISE))
    async def raise_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()

        async def open_modal(where: Where) -> Outcome:
            stage_id = clicks.stage(action.get("value"))
            await adapter.judged(where, stage_id)  # a stage of this workspace
            board = await adapter.app.queries.heading(stage_id)
            say = sayer(await adapter.directory.locale(where.team_id, where.user_id))
            await adapter.client.views_open(trigger_id=body["trigger_id"], view=raise_modal(
                say, stage_id=stage_id, title=board.ref.title, channel_id=board.ref.channel_id,
                thread_ts=where.thread_ts, from_home=where.channel_id is None))
            return None
        await run(body, respond, "opening the raise-hand modal", open_modal)

    @bolt.view(RAISE_MODAL)
    async def raise_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        # The ack (once committed) closes the modal; the answer comes as an ephemeral message.
        try:
            meta: clicks.ModalMeta | None = clicks.modal_meta(view.get("private_metadata"))
        except Unreadable:
            meta = None
        value = _object(_object(_object(_object(view.get("state")).get("values")).get(NOTE_BLOCK)).get(NOTE_INPUT)).get(
            "value")
        where = Where(team_id=team_of(body), user_id=body["user"]["id"],
                      channel_id=meta.channel if meta else None, thread_ts=meta.thread if meta else None)

        async def work() -> Outcome:
            if meta is None:
                raise Unreadable()
            actor = await adapter.judged(where, meta.stage)
            note = value.strip() if isinstance(value, str) else ""
            return await adapter.handle(c.RaiseHand(actor=actor, stage_id=meta.stage, note=note))

        async def republish() -> None:
            await home.publish_quietly(adapter, where.team_id, where.user_id)

        await adapter.replies.run(work, send=adapter.replies.in_channel(where.channel_id, where.user_id,
                                                                         where.thread_ts),
                                  team_id=where.team_id, user_id=where.user_id, what="raising a hand",
                                  ack=ack, request=body, then=republish if meta is not None and meta.home else None)

    @bolt.action(_indexed(LOWER))
    async def lower_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        async def work(where: Where) -> Outcome:
            stage_id = clicks.stage(action.get("value"))
            actor = await adapter.judged(where, stage_id)
            return await adapter.handle(c.LowerHand(actor=actor, stage_id=stage_id))
        await run(body, respond, "lowering a hand", work, ack)

    @bolt.action(NEXT)
    async def next_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        async def work(where: Where) -> Outcome:
            stage_id = clicks.stage(action.get("value"))
            actor = await adapter.judged(where, stage_id)
            return with_note(await adapter.handle(c.ApproveNext(actor=actor, stage_id=stage_id)), CANNOT_UNMUTE)
        await run(body, respond, "giving the floor to the next in line", work, ack)

    @bolt.action(re.compile(rf"^{AUDIENCE}_\d+$"))
    async def audience_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        async def work(where: Where) -> Outcome:
            stage_id, user_id = clicks.stage_and_member(action.get("value"))
            actor = await adapter.judged(where, stage_id)
            await adapter.directory.member(user_id)
            return await adapter.handle(c.MoveToAudience(actor=actor, stage_id=stage_id, user_id=user_id))
        await run(body, respond, "moving a speaker back to the audience", work, ack)

    @bolt.action(re.compile(rf"^{QUEUE}_\d+$"))
    async def queue_chosen(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        verb = str(clicks.chosen(action)).split(":", 1)[0][:20]

        async def work(where: Where) -> Outcome:
            verb, stage_id, user_id = clicks.verb_stage_member(clicks.chosen(action), ("approve", "deny"))
            actor = await adapter.judged(where, stage_id)
            await adapter.directory.member(user_id)
            if verb == "approve":
                return with_note(await adapter.handle(c.ApproveSpeaker(actor=actor, stage_id=stage_id,
                                                                    user_id=user_id)), CANNOT_UNMUTE)
            return await adapter.handle(c.DenyHand(actor=actor, stage_id=stage_id, user_id=user_id))
        await run(body, respond, f"{verb} from the queue", work, ack)

    @bolt.action(re.compile(rf"^({GOING}|{NOT_GOING})$"))
    async def rsvp_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        async def work(where: Where) -> Outcome:
            actor = await adapter.actor(where.user_id)
            return await adapter.handle(c.Rsvp(actor=actor, schedule_id=clicks.stage(action.get("value")),
                                               going=action["action_id"] == GOING))
        await run(body, respond, "answering a scheduled stage", work, ack)

    # Registered last: a click on anything else (a forged action id, a button of an older Podium) is
    # answered, rather than left to time out and be told 404.
    @bolt.action(re.compile(".*"))
    async def unknown_clicked(ack: Any, body: dict[str, Any], respond: Any) -> None:
        async def work(where: Where) -> Outcome:
            raise Unreadable()
        await run(body, respond, "an unknown click", work, ack)

    @bolt.view(re.compile(".*"))
    async def unknown_submitted(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        where = where_of(body)

        async def work() -> Outcome:
            raise Unreadable()
        await adapter.replies.run(work, send=adapter.replies.in_channel(None, where.user_id),
                                  team_id=where.team_id, user_id=where.user_id, what="an unknown form")
