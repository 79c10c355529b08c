"""What members type (issue 10), in English and French, with and without quotes: one list for every platform.

Each step is (who, line as typed in the console, expected): "ok", or the refusal it must get. `{series}` is
the first four characters of the id of the series “Weekly AMA”, as a member would copy it.
Lines marked TYPED only exist where members type text (console, Slack): Discord's own option fields make
them impossible to send (an option it does not have, a word where it asks for a number).
"""

from __future__ import annotations

from bot.domain import errors
from bot.surface import errors as surface_errors

OK = "ok"
TYPED = "typed"

NOTES_EN = ["I'd like to ask about pricing", "“a question about pricing”", '"what about the roadmap?"',
            "Bob's question, again", "«about the “beta” programme»"]
NOTES_FR = ["J'ai une question", "J’ai une question sur les tarifs", "« l’offre d’été »", '"c\'est pour quand ?"',
            "question d'ordre général"]

STEPS: list[tuple[str, str, object] | tuple[str, str, object, str]] = [
    # ---- opening: titles without quotes, with every kind of quotes, with apostrophes, options in any order
    ("alice", "/stage open Weekly AMA", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open “Weekly AMA”", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open « Café du lundi »", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open Bob's AMA", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open 'Weekly AMA'", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open L'AMA du jeudi visibility=Members", OK),
    ("alice", "/stage close", OK),
    ("alice", "/stage open", surface_errors.MissingOption, TYPED),
    ("alice", "/stage open Weekly AMA visibility=secret", surface_errors.BadValue, TYPED),
    ("alice", "/stage open Weekly AMA colour=red", surface_errors.LeftOver, TYPED),
    ("alice", "/stage stauts", surface_errors.DidYouMean, TYPED),
    ("alice", "/stage open topic=“Pricing and plans” Weekly AMA", OK),
    ("alice", "/stage topic Pricing, plans and the road ahead", OK),
    ("alice", "/stage topic “Les tarifs de l’été”", OK),
    # ---- hands: the note is the rest of the line
    *[step for note in NOTES_EN + NOTES_FR for step in (("carol", f"/hand raise {note}", OK),
                                                           ("carol", "/hand lower", OK))],
    ("carol", "/hand raise I'd like to ask about pricing", OK),
    ("dave", "/hand raise J'ai une question", OK),
    ("frank", "/hand raise", OK),
    ("carol", "/queue", OK),
    # ---- the floor: reasons are the rest of the line; extra words are refused, nothing changes
    ("alice", "/speaker deny carol off topic", OK),
    ("alice", "/speaker next carol", surface_errors.LeftOver, TYPED),
    ("alice", "/speaker next", OK),
    ("alice", "/speaker audience dave", OK),
    ("alice", "/speaker approve fra", OK),
    ("alice", "/speaker approve nobody", errors.UnknownMember),
    ("carol", "/speaker approve dave", errors.NotModerator),
    ("frank", "/speaker audience", OK),
    ("alice", "/speaker audience", errors.NotSpeaker),
    ("carol", "/hand raise « J’ai une question »", OK),
    ("alice", "/speaker deny carol « hors sujet, désolé »", OK),
    # ---- rules: name=value in any order, durations as people write them, refusals quote what was typed
    ("alice", "/stage rules", OK),
    ("alice", "/stage rules speaking_time_limit=2m warn_before=5m", errors.InvalidRule),
    ("alice", "/stage rules warn_before=30s speaking_time_limit=10 min", OK),
    ("alice", "/stage rules queue_mode=FAIR", OK),
    ("alice", "/stage rules hand_cooldown=1h30", OK),
    ("alice", "/stage rules hand_cooldown=2 heures", OK),
    ("alice", "/stage rules hand_cooldown=0 grace_period=90", OK),
    ("alice", "/stage rules max_speakers=0", errors.InvalidRule),
    ("alice", "/stage rules must_be_present=maybe", errors.InvalidRule),
    ("alice", "/stage rules loudness=11", errors.UnknownRule),
    ("alice", "/stage rules idle_close=off", OK),
    # ---- locking, the log, moderators
    ("alice", "/stage lock", OK),
    ("dave", "/hand raise please", errors.HandsLocked),
    ("alice", "/stage unlock", OK),
    ("alice", "/stage status", OK),
    ("alice", "/stage log 5", OK),
    ("alice", "/stage log lots", surface_errors.LeftOver, TYPED),
    ("frank", "/stage lock", errors.NotModerator),
    ("alice", "/mod add frank", OK),
    ("frank", "/stage lock", OK),
    ("frank", "/stage unlock", OK),
    ("alice", "/mod remove frank", OK),
    ("frank", "/stage lock", errors.NotModerator),
    ("frank", "/hand raise one more thing", OK),
    ("alice", "/stage remove frank spamming the chat", OK),
    ("alice", "/stage block dave « hors sujet »", OK),
    ("dave", "/hand raise let me back", errors.Blocked),
    ("alice", "/stage unblock dave", OK),
    ("dave", "/hand raise merci", OK),
    ("alice", "/stage close", OK),
    # ---- in French
    ("alice", "/stage open Questions du jeudi", OK),
    ("carol", "/hand raise J'aimerais parler du prix", OK),
    ("alice", "/speaker deny carol hors sujet, désolé", OK),
    ("alice", "/stage rules hand_cooldown=2 heures grace_period=30 secondes", OK),
    ("alice", "/stage close", OK),
    # ---- scheduled stages: ids by prefix, durations and repeats as people write them
    ("alice", "/stage schedule Weekly AMA start=2027-01-05 18:00 tz=UTC repeat=weekdays duration=1h30", OK),
    ("carol", "/rsvp {series}", OK),
    ("carol", "/rsvp {series} off", OK),
    ("carol", "/rsvp", OK),
    ("alice", "/stage edit {series} duration=2 heures", OK),
    ("alice", "/stage edit {series} repeat=Weekly:Mon,Thu", OK),
    ("alice", "/stage edit {series}", surface_errors.NothingToChange),
    ("dave", "/rsvp zzzz", errors.ScheduleNotFound),
    ("alice", "/stage schedule « Café du lundi » start=\"2027-01-06 09:00\" tz=UTC repeat=daily", OK),
    ("alice", "/stage cancel {series} occurrence=2027-01-07 18:00 tz=UTC", OK),
    ("alice", "/stage schedule Bad start=2027-01-05 18:00 tz=UTC repeat=sometimes", errors.ImpossibleRecurrence),
    ("alice", "/stage schedule Bad start=tomorrow tz=UTC", errors.InvalidDate),
    ("alice", "/stage schedules", OK),
]
