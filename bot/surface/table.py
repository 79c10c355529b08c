"""Every Podium command, once: its words, options, who may use it, help, and the core command it builds.

The text grammar (grammar.py), Discord's application commands, /help and the README's command table are all
made from these rows. Adding a command: a domain method, a handler, and one row here.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import commands as c
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.surface.rows import Access, Kind, Option, Row, Scope, Values, Where

# ---- options used by several rows -------------------------------------------------------------------

MEMBER = Option("member", Kind.MEMBER, N_("Who it is about."), N_("MEMBER"), required=True)
QUEUED = Option("member", Kind.MEMBER, N_("Pick from the queue, or type a name."), N_("MEMBER"), required=True,
                suggest="queue")
REASON = Option("reason", Kind.TEXT, N_("Why, for the audit log."), N_("REASON"), default="")
TOPIC = Option("topic", Kind.TEXT, N_("What it is about."), N_("TEXT"), keyed=True, default="")
SERIES = Option("id", Kind.ID, N_("The scheduled stage; the next one in this channel when left empty."), N_("ID"),
                suggest="series")
START = Option("start", Kind.WHEN, N_("When, as YYYY-MM-DD HH:MM on your clock (or tz=)."), N_("YYYY-MM-DD HH:MM"),
               keyed=True)
ZONE = Option("tz", Kind.TEXT, N_("A time zone such as Europe/Paris."), N_("ZONE"), keyed=True)
LENGTH = Option("duration", Kind.DURATION, N_("How long it lasts (1h, 90 min)."), N_("DURATION"), keyed=True,
                high=24 * 3600)
REPEAT = Option("repeat", Kind.TEXT, N_("How it repeats: once, daily, weekdays, weekly:mon,thu or cron:M H D M W."),
                N_("once|daily|weekdays|weekly:mon,thu|cron:…"), keyed=True)


def _stage(kind: type[c.StageCommand], **fixed: object) -> object:
    """A builder for a command on the stage with nothing more to it than fixed values and its member."""
    def build(values: Values, where: Where) -> c.Command:
        extra = {k: values[k] for k in ("note", "reason", "topic") if k in values and _takes(kind, k)}
        if "member" in values and _takes(kind, "user_id"):
            extra["user_id"] = values["member"]
        return kind(actor=where.actor, stage_id=where.stage_id, **extra, **fixed)  # type: ignore[arg-type]
    return build


def _takes(kind: type[c.Command], name: str) -> bool:
    return name in kind.__dataclass_fields__


def _open(v: Values, w: Where) -> c.Command:
    return c.OpenStage(actor=w.actor, platform=w.platform, space_id=w.space_id, channel_id=w.channel_id,
                       title=v["title"], topic=v["topic"], visibility=v["visibility"], capacity=v["capacity"],
                       present=w.present)


def _rules(v: Values, w: Where) -> c.Command | None:
    changes = v.get("changes") or {}
    return c.SetRules(actor=w.actor, stage_id=w.stage_id, changes=dict(changes)) if changes else None


def _audience(v: Values, w: Where) -> c.Command:
    return c.MoveToAudience(actor=w.actor, stage_id=w.stage_id, user_id=v.get("member") or w.actor.user_id)


def _schedule(v: Values, w: Where) -> c.Command:
    return c.ScheduleStage(actor=w.actor, platform=w.platform, space_id=w.space_id, channel_id=w.channel_id,
                           title=v["title"], start=v["start"], timezone=v.get("tz") or w.timezone,
                           duration=v["duration"], recurrence=v["repeat"], topic=v["topic"])


def _edit(v: Values, w: Where) -> c.Command:
    return c.EditSchedule(actor=w.actor, schedule_id=w.schedule_id, title=v.get("title"), topic=v.get("topic"),
                          start=v.get("start"), timezone=v.get("tz"), duration=v.get("duration"),
                          recurrence=v.get("repeat"))


def _cancel(v: Values, w: Where) -> c.Command:
    # The occurrence arrives resolved to an instant by the gateway (it knows the series' zone).
    return c.CancelSchedule(actor=w.actor, schedule_id=w.schedule_id, occurrence=v.get("occurrence"))


def _rsvp(v: Values, w: Where) -> c.Command:
    return c.Rsvp(actor=w.actor, schedule_id=w.schedule_id, going=v.get("going", True))


MODERATORS, EVERYONE, HOSTS = Access.MODERATORS, Access.EVERYONE, Access.HOSTS

TABLE: tuple[Row, ...] = (
    # ---- the stage
    Row(("stage", "open"), "open", N_("Open a stage in this channel."), (
        Option("title", Kind.TEXT, N_("What the stage is called."), N_("TITLE"), required=True),
        TOPIC,
        Option("visibility", Kind.CHOICE, N_("Who may join."), N_("public|members|invite-only"), keyed=True,
               default=Visibility.PUBLIC, choices=("public", "members", "invite-only"),
               aliases={"invite": "invite-only", "invite_only": "invite-only", "members-only": "members",
                        "private": "invite-only"}),
        Option("capacity", Kind.NUMBER, N_("How many may join; 0 for no limit."), N_("N"), keyed=True, default=0,
               low=0, high=10_000),
    ), scope=Scope.NONE, build=_open, read="board"),
    Row(("stage", "close"), "close", N_("Close the stage and post its recap."), access=MODERATORS,
        build=_stage(c.CloseStage)),
    Row(("stage", "topic"), "topic", N_("Set the topic."), (
        Option("topic", Kind.TEXT, N_("What it is about."), N_("TEXT"), required=True),
    ), access=MODERATORS, build=_stage(c.SetTopic)),
    Row(("stage", "rules"), "rules", N_("Show the rules, or change them (moderators)."), (
        Option("changes", Kind.PAIRS, N_("Rules to change, as name=value pairs (max_speakers=3 hand_cooldown=2m)."),
               N_("NAME=VALUE …")),
    ), build=_rules, read="rules"),
    Row(("stage", "lock"), "lock", N_("Stop new hands from being raised."), access=MODERATORS,
        build=_stage(c.LockHands, locked=True)),
    Row(("stage", "unlock"), "unlock", N_("Allow hands again."), access=MODERATORS,
        build=_stage(c.LockHands, locked=False)),
    Row(("stage", "status"), "status", N_("Show the board."), read="board"),
    Row(("stage", "log"), "log", N_("Show the audit log (moderators)."), (
        Option("count", Kind.NUMBER, N_("How many entries, newest last."), N_("COUNT"), default=20, low=1,
               high=500),
    ), access=MODERATORS, read="log"),
    Row(("stage", "recap"), "recap", N_("Show the recap of the last stage closed in this channel."),
        scope=Scope.NONE, read="recap"),
    Row(("stage", "invite"), "invite", N_("Invite a member (invite-only stages, invited hands)."), (MEMBER,),
        access=MODERATORS, build=_stage(c.InviteMember)),
    Row(("stage", "remove"), "remove", N_("Take a member off the stage."), (MEMBER, REASON),
        access=MODERATORS, build=_stage(c.RemoveMember)),
    Row(("stage", "block"), "block", N_("Take a member off the stage and keep them out."), (MEMBER, REASON),
        access=MODERATORS, build=_stage(c.RemoveMember, block=True)),
    Row(("stage", "unblock"), "unblock", N_("Let a blocked member back."), (MEMBER,), access=MODERATORS,
        build=_stage(c.UnblockMember)),
    # ---- scheduled stages
    Row(("stage", "schedule"), "schedule", N_("Schedule a stage in this channel, once or repeating."), (
        Option("title", Kind.TEXT, N_("What the stage is called."), N_("TITLE"), required=True),
        replace(START, required=True),
        ZONE, replace(LENGTH, default=3600),
        replace(REPEAT, default="once"), TOPIC,
    ), scope=Scope.NONE, build=_schedule),
    Row(("stage", "schedules"), "schedules", N_("List the upcoming scheduled stages of the space."),
        scope=Scope.NONE, read="schedules"),
    Row(("stage", "edit"), "edit", N_("Change a scheduled stage (its host or a moderator)."), (
        SERIES, Option("title", Kind.TEXT, N_("What the stage is called."), N_("TITLE"), keyed=True),
        START, ZONE, LENGTH, REPEAT, Option("topic", Kind.TEXT, N_("What it is about."), N_("TEXT"), keyed=True),
    ), access=HOSTS, scope=Scope.SERIES, build=_edit),
    Row(("stage", "cancel"), "cancel", N_("Cancel one occurrence of a scheduled stage, or the whole series."), (
        SERIES, Option("occurrence", Kind.WHEN, N_("Which occurrence; the whole series when left empty."),
                       N_("YYYY-MM-DD HH:MM"), keyed=True), ZONE,
    ), access=HOSTS, scope=Scope.SERIES, build=_cancel),
    Row(("rsvp",), "rsvp", N_("Say you are going to the next occurrence (off: no longer); without an id, the next "
                              "stage scheduled in this channel."), (
        SERIES, Option("going", Kind.FLAG, N_("off: you are no longer going."), N_("on|off"), default=True),
    ), scope=Scope.SERIES, build=_rsvp),
    # ---- hands and speakers
    Row(("hand", "raise"), "raise", N_("Raise your hand, with an optional note."), (
        Option("note", Kind.TEXT, N_("What you would like to say, in a few words."), N_("NOTE"), default=""),
    ), build=_stage(c.RaiseHand)),
    Row(("hand", "lower"), "lower", N_("Lower your hand."), build=_stage(c.LowerHand)),
    Row(("queue",), "queue", N_("Show the whole queue and your place in it."), read="queue"),
    Row(("speaker", "approve"), "approve", N_("Give the floor to a member."), (QUEUED,), access=MODERATORS,
        build=_stage(c.ApproveSpeaker)),
    Row(("speaker", "next"), "next", N_("Give the floor to the next in line."), access=MODERATORS,
        build=_stage(c.ApproveNext)),
    Row(("speaker", "deny"), "deny", N_("Lower a member's hand."), (QUEUED, REASON), access=MODERATORS,
        build=_stage(c.DenyHand)),
    Row(("speaker", "audience"), "audience", N_("Move a speaker (or yourself) back to the audience."), (
        Option("member", Kind.MEMBER, N_("The speaker; yourself when left empty."), N_("MEMBER"),
               suggest="speakers"),
    ), build=_audience),
    Row(("mod", "add"), "mod add", N_("Make a member a moderator of this stage."), (MEMBER,), access=MODERATORS,
        build=_stage(c.AddModerator)),
    Row(("mod", "remove"), "mod remove", N_("Take moderation of this stage back from a member."), (MEMBER,),
        access=MODERATORS, build=_stage(c.RemoveModerator)),
    Row(("help",), "help", N_("List every command."), (
        Option("command", Kind.TEXT, N_("A command to explain."), N_("COMMAND"), default=""),
    ), scope=Scope.NONE, read="help"),
)

BY_NAME = {row.name: row for row in TABLE}
