"""Typed refusals. Each carries a catalogue sentence and its named values; adapters render it."""

from __future__ import annotations

from typing import Any

from bot.i18n.markers import N_


class StageError(Exception):
    """A command the rules refuse. Raising one means nothing changed."""

    message: str = N_("That cannot be done.")

    def __init__(self, **params: Any) -> None:
        super().__init__(self.message.format(**params) if params else self.message)
        self.params = params

    @property
    def code(self) -> str:
        return type(self).__name__


class StageNotFound(StageError):
    message = N_("There is no live stage here.")


class StageNotLive(StageError):
    message = N_("The stage “{title}” is not live.")


class StageAlreadyLive(StageError):
    message = N_("A stage is already live in this channel: “{title}”.")


class NotModerator(StageError):
    message = N_("Only the host and moderators can do that.")


class HandsLocked(StageError):
    message = N_("Hands are locked on this stage.")


class HandsOff(StageError):
    message = N_("Raising hands is turned off on this stage.")


class RoleRequired(StageError):
    message = N_("Only members with one of these roles can raise a hand: {roles}.")


class InviteRequired(StageError):
    message = N_("This stage is invite-only and you are not invited.")


class MembersOnly(StageError):
    message = N_("This stage is open to members of the space only.")


class Blocked(StageError):
    message = N_("You are blocked from this stage.")


class TargetBlocked(StageError):
    message = N_("{member} is blocked from this stage.")


class NotOnStage(StageError):
    message = N_("{member} is not on this stage.")


class NotPresent(StageError):
    message = N_("Join the audio room before raising your hand.")


class AlreadyRaised(StageError):
    message = N_("Your hand is already raised (you are #{position}).")


class AlreadySpeaker(StageError):
    message = N_("{member} is already a speaker.")


class NoHandRaised(StageError):
    message = N_("{member} has no hand raised.")


class NotSpeaker(StageError):
    message = N_("{member} is not a speaker.")


class CoolingDown(StageError):
    message = N_("You can raise your hand again in {wait}.")


class QueueFull(StageError):
    message = N_("The queue is full (limit: {limit}).")


class QueueEmpty(StageError):
    message = N_("Nobody is waiting in the queue.")


class SpeakersFull(StageError):
    message = N_("The stage already has the maximum of {limit} speakers.")


class StageFull(StageError):
    message = N_("The stage is full (capacity: {capacity}).")


class MemberNotHere(StageError):
    message = N_("{member} is not in the audio room.")


class AlreadyModerator(StageError):
    message = N_("{member} is already a moderator.")


class NotAModerator(StageError):
    message = N_("{member} is not a delegated moderator.")


class CannotTargetHost(StageError):
    message = N_("The host cannot be removed, blocked or demoted.")


class AlreadyInvited(StageError):
    message = N_("{member} is already invited.")


class NotBlocked(StageError):
    message = N_("{member} is not blocked.")


class InvalidRule(StageError):
    message = N_("Invalid value for {rule}: “{value}” (expected {expected}).")


class UnknownRule(StageError):
    message = N_("Unknown rule “{rule}”. Rules: {rules}.")


class InvalidArgument(StageError):
    message = N_("Invalid value for {name}: “{value}” (expected {expected}).")


class Unexpected(StageError):
    message = N_("Something went wrong on our side; nothing was changed. Please try again.")


class UnknownCommand(StageError):
    message = N_("Unknown command “{command}”. Type /help for the list.")


class MissingArgument(StageError):
    message = N_("Missing or wrong arguments. Usage: {usage}")


class UnknownMember(StageError):
    message = N_("There is no member called “{name}” here.")


class NotAdmin(StageError):
    message = N_("Only administrators of this space can do that.")


class ScheduleNotFound(StageError):
    message = N_("There is no scheduled stage with the id “{schedule_id}”.")


class ScheduleNotActive(StageError):
    message = N_("The scheduled stage “{title}” was cancelled or has ended.")


class UnknownTimezone(StageError):
    message = N_("Unknown time zone “{timezone}”. Use a name such as Europe/Paris or America/New_York.")


class InvalidDate(StageError):
    message = N_("Invalid date “{value}”. Write it as YYYY-MM-DD HH:MM.")


class DateInPast(StageError):
    message = N_("That time has already passed: {when}.")


class ImpossibleRecurrence(StageError):
    message = N_("The recurrence “{value}” never happens. Use once, daily, weekly:mon,thu or cron:\"M H D M W\".")


class TooManySchedules(StageError):
    message = N_("This space already has {limit} active scheduled stages, the most allowed.")


class OccurrenceNotFound(StageError):
    message = N_("“{title}” has no upcoming occurrence at {when}.")
