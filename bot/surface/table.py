"""Every Podium command, once: its words, options, who may use it, help, and the core command it builds.

The text grammar (grammar.py), Discord's application commands, /help and the README's command table are all
made from these rows. Adding a command: a domain method, a handler, and one row here.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import commands as c
from bot.domain import community_commands as cc
from bot.domain import follows as fl
from bot.domain import links as lk
from bot.domain import recording as r
from bot.domain.tags import parse_tags
from bot.domain.validation import Visibility
from bot.i18n.markers import N_
from bot.surface.errors import NothingToChange
from bot.surface.rows import Access, Builder, Kind, Option, Row, Scope, Values, Where

# ---- options used by several rows -------------------------------------------------------------------

MEMBER = Option(N_("member"), Kind.MEMBER, N_("Who it is about."), N_("MEMBER"), required=True)
QUEUED = Option(N_("member"), Kind.MEMBER, N_("Pick from the queue, or type a name."), N_("MEMBER"), required=True,
                suggest="queue")
REASON = Option(N_("reason"), Kind.TEXT, N_("Why, for the audit log."), N_("REASON"), default="")
TOPIC = Option(N_("topic"), Kind.TEXT, N_("What it is about."), N_("TEXT"), keyed=True, default="")
SERIES = Option(N_("series"), Kind.ID, N_("The scheduled stage; the next one in this channel when left empty."), N_("ID"),
                suggest="series")
START = Option(N_("start"), Kind.WHEN, N_("When, as YYYY-MM-DD HH:MM on your clock (or tz=)."), N_("YYYY-MM-DD HH:MM"),
               keyed=True)
ZONE = Option(N_("timezone"), Kind.TEXT, N_("A time zone such as Europe/Paris."), N_("ZONE"), keyed=True,
              also=("tz",), suggest="zones")
LENGTH = Option(N_("duration"), Kind.DURATION, N_("How long it lasts (1h, 90 min)."), N_("DURATION"), keyed=True,
                high=24 * 3600)
RECORD = Option(N_("record"), Kind.FLAG, N_("on: recorded (Discord); only members who accept are heard."), N_("on|off"),
                keyed=True, default=False)
REPLAY = Option(N_("replay"), Kind.ID, N_("The replay, by its id or the start of it (see /stage replays)."), N_("ID"),
                required=True, suggest="replays")
TAGS = Option(N_("tags"), Kind.TAGS, N_("What it is about, as people follow it: up to 5 tags (pricing,design)."),
              N_("TAG,TAG"), keyed=True, default="")
REPEAT = Option(N_("repeat"), Kind.TEXT, N_("How it repeats: once, daily, weekdays, weekly:mon,thu or cron:M H D M W."),
                N_("once|daily|weekdays|weekly:mon,thu|cron:…"), keyed=True, suggest="repeats")


def _stage(kind: type[c.StageCommand], **fixed: object) -> Builder:
    """A builder for a command on the stage with nothing more to it than fixed values and its member."""
    def build(values: Values, where: Where) -> c.Command:
        extra = {k: values[k] for k in ("note", "reason", "topic") if k in values and _takes(kind, k)}
        if "member" in values and _takes(kind, "user_id"):
            extra["user_id"] = values["member"]
        return kind(actor=where.actor, stage_id=where.stage_id, **extra, **fixed)
    return build


def _takes(kind: type[c.Command], name: str) -> bool:
    return name in kind.__dataclass_fields__


def _open(v: Values, w: Where) -> c.Command:
    return c.OpenStage(actor=w.actor, platform=w.platform, space_id=w.space_id, channel_id=w.channel_id,
                       title=v["title"], topic=v["topic"], visibility=v["visibility"], capacity=v["capacity"],
                       present=w.present, presence_known=w.presence_known, record=v["record"],
                       tags=parse_tags(v["tags"]))


def _block(v: Values, w: Where) -> c.Command:
    return c.RemoveMember(actor=w.actor, stage_id=w.stage_id, user_id=v["member"], block=True,
                          reason=v.get("reason", ""), lasting=v.get("lasting") or None)


def _rules(v: Values, w: Where) -> c.Command | None:
    changes = v.get("changes") or {}
    return c.SetRules(actor=w.actor, stage_id=w.stage_id, changes=dict(changes)) if changes else None


def _audience(v: Values, w: Where) -> c.Command:
    return c.MoveToAudience(actor=w.actor, stage_id=w.stage_id, user_id=v.get("member") or w.actor.user_id)


def _schedule(v: Values, w: Where) -> c.Command:
    return c.ScheduleStage(actor=w.actor, platform=w.platform, space_id=w.space_id, channel_id=w.channel_id,
                           title=v["title"], start=v["start"], timezone=v.get("timezone") or w.timezone,
                           duration=v["duration"], recurrence=v["repeat"], topic=v["topic"],
                           record=v["record"], tags=parse_tags(v["tags"]))


def _edit(v: Values, w: Where) -> c.Command:
    if all(v.get(name) is None for name in ("title", "topic", "start", "timezone", "duration", "repeat", "tags")):
        raise NothingToChange()
    return c.EditSchedule(actor=w.actor, schedule_id=w.schedule_id, title=v.get("title"), topic=v.get("topic"),
                          start=v.get("start"), timezone=v.get("timezone"), duration=v.get("duration"),
                          recurrence=v.get("repeat"), tags=_tags_or_none(v.get("tags")))


_CLEARED = frozenset({"none", "aucun", "aucune", "-", "off"})


def _tags_or_none(typed: str | None) -> tuple[str, ...] | None:
    """Tags as typed for a change: `none` (or `-`) clears them; nothing typed leaves them as they are."""
    if typed is None:
        return None
    return () if typed.strip().casefold() in _CLEARED else parse_tags(typed)


def _set_tags(v: Values, w: Where) -> c.Command:
    return c.SetTags(actor=w.actor, stage_id=w.stage_id, tags=_tags_or_none(v["tags"]) or ())


def _cancel(v: Values, w: Where) -> c.Command:
    # The occurrence arrives resolved to an instant by the gateway (it knows the series' zone).
    return c.CancelSchedule(actor=w.actor, schedule_id=w.schedule_id, occurrence=v.get("occurrence"))


def _rsvp(v: Values, w: Where) -> c.Command:
    return c.Rsvp(actor=w.actor, schedule_id=w.schedule_id, going=v.get("going", True))


def _record(v: Values, w: Where) -> c.Command:
    return c.SetRules(actor=w.actor, stage_id=w.stage_id, changes={"record": "on" if v["recording"] else "off"})


def _consent(v: Values, w: Where) -> c.Command:
    return r.RecordConsent(actor=w.actor, platform=w.platform, space_id=w.space_id, accepted=v["consent"])


def _strike(v: Values, w: Where) -> c.Command:
    # The member's own voice when none is named (`/record remove`); a moderator names someone (`/stage strike`).
    return r.StrikeVoice(actor=w.actor, stage_id=w.stage_id, user_id=v.get("member") or w.actor.user_id)


def _delete_replay(v: Values, w: Where) -> c.Command:
    return r.DeleteReplay(actor=w.actor, replay_id=v["replay"])


def _link(v: Values, w: Where) -> c.Command:
    return lk.AddLink(actor=w.actor, stage_id=w.stage_id, url=v["url"], label=v.get("label") or "")


def _unlink(v: Values, w: Where) -> c.Command:
    return lk.RemoveLink(actor=w.actor, stage_id=w.stage_id, number=v["number"])


def _hide(hidden: bool) -> Builder:
    def build(v: Values, w: Where) -> c.Command:
        return cc.HideStats(actor=w.actor, platform=w.platform, space_id=w.space_id, hidden=hidden)
    return build


def _thresholds(v: Values, w: Where) -> c.Command | None:
    changes = v.get("changes") or {}
    return cc.SetThresholds(actor=w.actor, platform=w.platform, space_id=w.space_id,
                            changes={k: str(x) for k, x in changes.items()}) if changes else None


def _follow(kind: fl.Followed, *, on: bool) -> Builder:
    def build(v: Values, w: Where) -> c.Command:
        targets = parse_tags(v["tag"]) if kind is fl.Followed.TAG else (v["member"],)
        return fl.Follow(actor=w.actor, platform=w.platform, space_id=w.space_id, kind=kind, targets=targets, on=on)
    return build


FOLLOWED_TAG = Option(N_("tag"), Kind.TAGS, N_("One or more tags, such as pricing."), N_("TAG"), required=True)
FOLLOWED_HOST = Option(N_("member"), Kind.MEMBER, N_("The host."), N_("MEMBER"), required=True)

PERIOD = Option(N_("period"), Kind.CHOICE, N_("Over the last 30 days, or all time."), N_("30d|all"), default="30d",
                choices=("30d", "all"), aliases={"30": "30d", "30days": "30d", "30j": "30d", "month": "30d",
                                                 "mois": "30d", "alltime": "all", "all-time": "all",
                                                 "tout": "all", "toujours": "all", "ever": "all"})

MODERATORS, EVERYONE, HOSTS = Access.MODERATORS, Access.EVERYONE, Access.HOSTS

# What each first word of a two-word command is about (a platform with command groups shows it).
GROUPS = {
    N_("stage"): N_("Run a live stage in a stage channel."),
    N_("hand"): N_("Raise or lower your hand."),
    N_("speaker"): N_("Give or take the floor."),
    N_("mod"): N_("Delegate moderation of a stage."),
    N_("stats"): N_("Your statistics in this space, and whether others see them."),
    N_("record"): N_("Your consent to being recorded, and your voice in replays."),
    N_("replay"): N_("The replays of recorded stages."),
    N_("follow"): N_("Follow tags and hosts: a direct message when their stages open or are scheduled."),
    N_("off"): N_("Stop following a tag or a host."),
}

TABLE: tuple[Row, ...] = (
    # ---- the stage
    Row((N_("stage"), N_("open")), "open", N_("Open a stage in this channel."), (
        Option(N_("title"), Kind.TEXT, N_("What the stage is called."), N_("TITLE"), required=True),
        TOPIC,
        Option(N_("visibility"), Kind.CHOICE, N_("Who may join."), N_("public|members|invite-only"), keyed=True,
               default=Visibility.PUBLIC, choices=("public", "members", "invite-only"),
               aliases={"invite": "invite-only", "invite_only": "invite-only", "members-only": "members",
                        "private": "invite-only"}),
        Option(N_("capacity"), Kind.NUMBER, N_("How many may join; 0 for no limit."), N_("N"), keyed=True, default=0,
               low=0, high=10_000),
        RECORD, TAGS,
    ), scope=Scope.NONE, build=_open, read="board"),
    Row((N_("stage"), N_("close")), "close", N_("Close the stage and post its recap."), access=MODERATORS,
        build=_stage(c.CloseStage)),
    Row((N_("stage"), N_("topic")), "topic", N_("Set the topic."), (
        Option(N_("topic"), Kind.TEXT, N_("What it is about."), N_("TEXT"), required=True),
    ), access=MODERATORS, build=_stage(c.SetTopic)),
    # `/tags`, not `/stage tags`: Discord allows a group 25 commands, and /stage has them.
    Row((N_("tags"),), "tags", N_("Set the stage's tags (none: no tags)."), (
        replace(TAGS, keyed=False, required=True, default=None),
    ), access=MODERATORS, build=_set_tags),
    Row((N_("stage"), N_("rules")), "rules", N_("Show the rules, or change them (moderators)."), (
        Option(N_("changes"), Kind.PAIRS, N_("Rules to change, as name=value pairs (max_speakers=3 hand_cooldown=2m)."),
               N_("NAME=VALUE …")),
    ), build=_rules, read="rules"),
    Row((N_("stage"), N_("lock")), "lock", N_("Stop new hands from being raised."), access=MODERATORS,
        build=_stage(c.LockHands, locked=True)),
    Row((N_("stage"), N_("unlock")), "unlock", N_("Allow hands again."), access=MODERATORS,
        build=_stage(c.LockHands, locked=False)),
    Row((N_("stage"), N_("status")), "status", N_("Show the board."), read="board"),
    Row((N_("stage"), N_("log")), "log", N_("Show the audit log (moderators)."), (
        Option(N_("count"), Kind.NUMBER, N_("How many entries, newest last."), N_("COUNT"), default=20, low=1,
               high=500),
    ), access=MODERATORS, read="log"),
    Row((N_("stage"), N_("recap")), "recap", N_("Show the recap of the last stage closed in this channel."),
        scope=Scope.NONE, read="recap"),
    Row((N_("stage"), N_("invite")), "invite", N_("Invite a member (invite-only stages, invited hands)."), (MEMBER,),
        access=MODERATORS, build=_stage(c.InviteMember)),
    Row((N_("stage"), N_("remove")), "remove", N_("Take a member off the stage."), (MEMBER, REASON),
        access=MODERATORS, build=_stage(c.RemoveMember)),
    Row((N_("stage"), N_("block")), "block", N_("Take a member off the stage and keep them out of the space's "
                                                "stages (for=7d: for a while)."), (
        MEMBER, Option(N_("lasting"), Kind.DURATION, N_("How long the block holds; until lifted when left empty."),
                       N_("DURATION"), keyed=True, high=366 * 24 * 3600, also=("for",)), REASON,
    ), access=MODERATORS, build=_block),
    Row((N_("stage"), N_("blocks")), "blocks", N_("List who is blocked in this space (moderators)."),
        access=MODERATORS, scope=Scope.NONE, read="blocks"),
    Row((N_("stage"), N_("unblock")), "unblock", N_("Let a blocked member back."), (MEMBER,), access=MODERATORS,
        build=_stage(c.UnblockMember)),
    Row((N_("stage"), N_("link")), "link", N_("Attach a link or document to the stage (board and recap)."), (
        Option(N_("url"), Kind.URL, N_("An http:// or https:// address."), N_("URL"), required=True),
        Option(N_("label"), Kind.TEXT, N_("What it is, in a few words."), N_("LABEL"), default=""),
    ), access=MODERATORS, build=_link),
    Row((N_("stage"), N_("unlink")), "unlink", N_("Remove a link from the stage, by its number on the board."), (
        Option(N_("number"), Kind.NUMBER, N_("The link's number on the board."), N_("N"), required=True, low=1,
               high=1000),
    ), access=MODERATORS, build=_unlink),
    # ---- recording and replays (Discord records; elsewhere the recap carries the timeline)
    Row((N_("stage"), N_("record")), "record", N_("Record the stage from now (on) or stop (off)."), (
        Option(N_("recording"), Kind.FLAG, N_("on: recorded from now; only members who accept are heard."),
               N_("on|off"), required=True),
    ), access=MODERATORS, build=_record),
    Row((N_("stage"), N_("strike")), "strike", N_("Leave a member's voice out of this stage's replay."), (
        MEMBER, replace(REPLAY, required=False, keyed=True, help=N_("The replay; this stage's when left empty.")),
    ), access=MODERATORS, build=_strike),
    Row((N_("stage"), N_("replays")), "replays", N_("List the replays kept in this space."), scope=Scope.NONE,
        read="replays"),
    Row((N_("stage"), N_("replay"), N_("delete")), "replay delete", N_("Delete a replay (its stage's host or "
                                                                        "moderators)."), (REPLAY,),
        access=MODERATORS, scope=Scope.NONE, build=_delete_replay),
    Row((N_("record"), N_("consent")), "record consent", N_("Accept being recorded on this space's stages (on), or "
                                                            "take it back (off)."), (
        Option(N_("consent"), Kind.FLAG, N_("on: your voice may be in replays; off: it is not."), N_("on|off"),
               required=True),
    ), scope=Scope.NONE, build=_consent),
    Row((N_("record"), N_("remove")), "record remove", N_("Remove your own voice from a replay: this stage's, or "
                                                          "one named by id."), (
        replace(REPLAY, required=False, help=N_("The replay; this stage's when left empty.")),
    ), build=_strike),
    # ---- scheduled stages
    Row((N_("stage"), N_("schedule")), "schedule", N_("Schedule a stage in this channel, once or repeating."), (
        Option(N_("title"), Kind.TEXT, N_("What the stage is called."), N_("TITLE"), required=True),
        replace(START, required=True),
        ZONE, replace(LENGTH, default=3600),
        replace(REPEAT, default="once"), TOPIC, RECORD, TAGS,
    ), scope=Scope.NONE, build=_schedule),
    Row((N_("stage"), N_("list")), "list", N_("Show the stages live and coming in the space, and where to join."),
        scope=Scope.NONE, read="stages"),
    Row((N_("stage"), N_("schedules")), "schedules", N_("List the upcoming scheduled stages of the space."),
        scope=Scope.NONE, read="schedules"),
    Row((N_("stage"), N_("edit")), "edit", N_("Change a scheduled stage (its host or a moderator)."), (
        SERIES, Option(N_("title"), Kind.TEXT, N_("What the stage is called."), N_("TITLE"), keyed=True),
        START, ZONE, LENGTH, REPEAT, Option("topic", Kind.TEXT, N_("What it is about."), N_("TEXT"), keyed=True),
        replace(TAGS, default=None, help=N_("Its tags (pricing,design); none: no tags.")),
    ), access=HOSTS, scope=Scope.SERIES, build=_edit),
    Row((N_("stage"), N_("cancel")), "cancel", N_("Cancel one occurrence of a scheduled stage, or the whole series."), (
        SERIES, Option(N_("occurrence"), Kind.WHEN, N_("Which occurrence; the whole series when left empty."),
                       N_("YYYY-MM-DD HH:MM"), keyed=True, suggest="occurrences"), ZONE,
    ), access=HOSTS, scope=Scope.SERIES, build=_cancel),
    Row((N_("rsvp"),), "rsvp", N_("Say you are going to a scheduled stage (off: no longer); the next one here by "
                                  "default."), (
        SERIES, Option(N_("going"), Kind.FLAG, N_("off: you are no longer going."), N_("on|off"), default=True),
    ), scope=Scope.SERIES, build=_rsvp),
    # ---- hands and speakers
    Row((N_("hand"), N_("raise")), "raise", N_("Raise your hand, with an optional note."), (
        Option(N_("note"), Kind.TEXT, N_("What you would like to say, in a few words."), N_("NOTE"), default=""),
    ), build=_stage(c.RaiseHand)),
    Row((N_("hand"), N_("lower")), "lower", N_("Lower your hand."), build=_stage(c.LowerHand)),
    Row((N_("queue"),), "queue", N_("Show the whole queue and your place in it."), read="queue"),
    Row((N_("speaker"), N_("approve")), "approve", N_("Give the floor to a member."), (QUEUED,), access=MODERATORS,
        build=_stage(c.ApproveSpeaker)),
    Row((N_("speaker"), N_("next")), "next", N_("Give the floor to the next in line."), access=MODERATORS,
        build=_stage(c.ApproveNext)),
    Row((N_("speaker"), N_("deny")), "deny", N_("Lower a member's hand."), (QUEUED, REASON), access=MODERATORS,
        build=_stage(c.DenyHand)),
    Row((N_("speaker"), N_("audience")), "audience", N_("Move a speaker (or yourself) back to the audience."), (
        Option(N_("member"), Kind.MEMBER, N_("The speaker; yourself when left empty."), N_("MEMBER"),
               suggest="speakers"),
    ), build=_audience),
    Row((N_("mod"), N_("add")), "mod add", N_("Make a member a moderator of this stage."), (MEMBER,), access=MODERATORS,
        build=_stage(c.AddModerator)),
    Row((N_("mod"), N_("remove")), "mod remove", N_("Take moderation of this stage back from a member."), (MEMBER,),
        access=MODERATORS, build=_stage(c.RemoveModerator)),
    # ---- community: statistics, leaderboards, badges
    Row((N_("stats"),), "stats", N_("Show your statistics (a moderator: anyone's) and the space's."), (
        Option(N_("member"), Kind.MEMBER, N_("Whose; yours when left empty."), N_("MEMBER")), PERIOD,
    ), scope=Scope.NONE, read="stats"),
    Row((N_("stats"), N_("hide")), "stats hide", N_("Hide your statistics: on no leaderboard, seen by you alone."),
        scope=Scope.NONE, build=_hide(True)),
    Row((N_("stats"), N_("show")), "stats show", N_("Show your statistics again after hiding them."),
        scope=Scope.NONE, build=_hide(False)),
    Row((N_("leaderboard"),), "leaderboard", N_("Rank the space's speakers, listeners or hosts."), (
        Option(N_("board"), Kind.CHOICE, N_("What is ranked."), N_("speakers|listeners|hosts"), default="speakers",
               choices=("speakers", "listeners", "hosts"),
               aliases={"speaker": "speakers", "listener": "listeners", "host": "hosts", "orateurs": "speakers",
                        "auditeurs": "listeners", "hôtes": "hosts", "hotes": "hosts"}), PERIOD,
    ), scope=Scope.NONE, read="leaderboard"),
    Row((N_("badges"),), "badges", N_("Show the badges and what each asks, or change that (moderators)."), (
        Option(N_("changes"), Kind.PAIRS, N_("Thresholds to change, as name=value pairs (attended=20 hosted=3)."),
               N_("NAME=VALUE …")),
    ), scope=Scope.NONE, build=_thresholds, read="badges"),
    # ---- discovery: follows
    Row((N_("follow"), N_("tag")), "follow tag", N_("Follow tags: a direct message when a stage with one opens or is "
                                                    "scheduled."), (FOLLOWED_TAG,), scope=Scope.NONE,
        build=_follow(fl.Followed.TAG, on=True)),
    Row((N_("follow"), N_("host")), "follow host", N_("Follow a host: a direct message when their stage opens or is "
                                                      "scheduled."), (FOLLOWED_HOST,), scope=Scope.NONE,
        build=_follow(fl.Followed.HOST, on=True)),
    Row((N_("follow"), N_("off"), N_("tag")), "follow off tag", N_("Stop following tags."), (FOLLOWED_TAG,),
        scope=Scope.NONE, build=_follow(fl.Followed.TAG, on=False)),
    Row((N_("follow"), N_("off"), N_("host")), "follow off host", N_("Stop following a host."), (FOLLOWED_HOST,),
        scope=Scope.NONE, build=_follow(fl.Followed.HOST, on=False)),
    Row((N_("follows"),), "follows", N_("List the tags and hosts you follow here."), scope=Scope.NONE,
        read="follows"),
    Row((N_("mod"), N_("suggest")), "mod suggest", N_("Suggest regulars who spoke well without incident as "
                                                     "moderators."), access=MODERATORS, read="suggest"),
    Row((N_("help"),), "help", N_("List every command."), (
        Option(N_("command"), Kind.TEXT, N_("A command to explain."), N_("COMMAND"), default=""),
    ), scope=Scope.NONE, read="help"),
)

BY_NAME = {row.name: row for row in TABLE}
