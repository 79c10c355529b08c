"""What an admin reads when Podium cannot start: at most three lines naming the variable, its value (secrets
masked), and what is expected. Works for any pydantic-settings class, core or adapter."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

EXIT_CODE = 2
_SECRET_WORDS = ("token", "secret", "password")


class StartupError(Exception):
    """A setting, the database or a platform refused at start; `lines()` is all the admin sees."""

    def __init__(self, variable: str, value: Any, problem: str, expected: str, *, secret: bool | None = None,
                 more: Iterable[str] = ()) -> None:
        self.variable, self.problem, self.expected = variable, problem, expected
        self.value = shown(value, secret=is_secret_name(variable) if secret is None else secret)
        self.more = list(more)
        super().__init__(self.lines()[0])

    def lines(self) -> list[str]:
        head = f"{self.variable} {self.problem}" if self.value is None else \
            f"{self.variable}={self.value}: {self.problem}"
        lines = [f"podium: {head}", f"  expected: {self.expected}"]
        if self.more:
            lines.append(f"  also wrong: {', '.join(self.more)}")
        return lines


class SettingError(ValueError):
    """Raised inside a settings validator when the message must name a variable other than the field's own
    (a pair that conflicts, a key that is unknown)."""

    def __init__(self, variable: str, value: Any, problem: str, expected: str, *, secret: bool | None = None
                 ) -> None:
        super().__init__(f"{variable} {problem}; expected {expected}")
        self.variable, self.value, self.problem, self.expected = variable, value, problem, expected
        self.secret = secret


def is_secret_name(variable: str) -> bool:
    return any(word in variable.lower() for word in _SECRET_WORDS)


def shown(value: Any, *, secret: bool = False) -> str | None:
    """The value as the admin typed it, quoted; secrets keep their first four characters only."""
    if value is None:
        return None
    if isinstance(value, SecretStr):
        value, secret = value.get_secret_value(), True
    if isinstance(value, (list, tuple)):
        value = ",".join(map(str, value))
    text = str(value)
    if secret and text:
        text = text[:4] + "…" if len(text) > 8 else "…"
    elif "://" in text:
        text = mask_url(text)
    if len(text) > 80:
        text = text[:77] + "…"
    return f'"{text}"'


def mask_url(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


# ---- pydantic errors -> StartupError ------------------------------------------------------------------

def env_name(settings: type[BaseSettings], loc: tuple[Any, ...]) -> str:
    config = settings.model_config
    prefix = str(config.get("env_prefix") or "")
    delimiter = str(config.get("env_nested_delimiter") or "__")
    parts = [str(part) for part in loc if not isinstance(part, int)]
    if not parts:
        return settings.__name__
    field = settings.model_fields.get(parts[0])
    alias = field.validation_alias or field.alias if field is not None else None
    if isinstance(alias, str):  # an alias is the variable's whole name: no prefix
        return delimiter.join([alias, *parts[1:]]).upper()
    return (prefix + delimiter.join(parts)).upper()


def _expected(problem: Mapping[str, Any]) -> str:
    kind, ctx = problem["type"], problem.get("ctx") or {}
    match kind:
        case "int_parsing" | "int_type" | "int_from_float":
            return "a whole number"
        case "bool_parsing" | "bool_type":
            return "true or false"
        case "less_than_equal":
            return f"at most {ctx.get('le')}"
        case "greater_than_equal":
            return f"at least {ctx.get('ge')}"
        case "enum" | "literal_error":
            return f"one of {ctx.get('expected')}"
        case "missing":
            return "a value"
    message = str(problem.get("msg", ""))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def from_validation(error: ValidationError, settings: type[BaseSettings]) -> StartupError:
    errors: list[StartupError] = []
    for problem in error.errors():
        cause = (problem.get("ctx") or {}).get("error")
        if isinstance(cause, SettingError):
            errors.append(StartupError(cause.variable, cause.value, cause.problem, cause.expected,
                                       secret=cause.secret))
            continue
        variable = env_name(settings, tuple(problem["loc"]))
        field = settings.model_fields.get(str(problem["loc"][0])) if problem["loc"] else None
        secret = field is not None and "SecretStr" in str(field.annotation)
        if problem["type"] == "extra_forbidden":
            errors.append(unknown_key(variable, problem.get("input"), known_names([settings])))
            continue
        errors.append(StartupError(variable, problem.get("input"), "is not accepted", _expected(problem),
                                   secret=secret))
    first = errors[0]
    first.more = [e.variable for e in errors[1:]]
    return first


def load(settings: type[BaseSettings], **values: Any) -> Any:
    """Builds a settings object, turning a validation failure into one StartupError."""
    try:
        return settings(**values)
    except ValidationError as error:
        raise from_validation(error, settings) from error


# ---- unknown keys --------------------------------------------------------------------------------------

def known_names(classes: Iterable[type[BaseSettings]]) -> set[str]:
    names: set[str] = set()
    for settings in classes:
        for name, field in settings.model_fields.items():
            names.add(env_name(settings, (name,)))
            nested = getattr(field.annotation, "model_fields", None)
            if nested:
                names |= {env_name(settings, (name, sub)) for sub in nested}
    return names


def unknown_key(variable: str, value: Any, known: set[str]) -> StartupError:
    close = difflib.get_close_matches(variable.upper(), sorted(known), n=1, cutoff=0.6)
    problem = f"is not a Podium setting (did you mean {close[0]}?)" if close else "is not a Podium setting"
    family = variable.split("__")[0] + "__" if "__" in variable else ""
    same = sorted(name for name in known if family and name.startswith(family))
    expected = ("one of " + ", ".join(same)) if same and not close else "a setting listed in .env.example"
    return StartupError(variable, value, problem, expected)


# Environment variables of Podium's families. The environment is shared with other programs (slack-bolt reads
# SLACK_CLIENT_ID, a benchmark PODIUM_BENCH_…), so outside RULES__ only a near miss of a known name is refused.
FAMILIES = ("PODIUM_", "RULES__", "DISCORD_", "SLACK_", "DATABASE_", "SQLITE_", "CUE_", "SCHEDULE_", "SCHEDULER_",
            "METRICS_", "LOG_")
NEAR_MISS = 0.85


def check_keys(classes: Iterable[type[BaseSettings]], *, environ: Mapping[str, str] | None = None,
               dotenv: Mapping[str, str | None] | None = None) -> None:
    """Refuses a key of the `.env` file that no settings class knows, an unknown RULES__ variable, and an
    environment variable that is a near miss of a setting (DISCORD_TOKN)."""
    known = known_names(classes)
    environ = os.environ if environ is None else environ
    found: list[tuple[str, str | None]] = [(key, value) for key, value in (dotenv or {}).items()
                                           if key.upper() not in known]
    for key, value in environ.items():
        name = key.upper()
        if name in known or not name.startswith(FAMILIES):
            continue
        if name.startswith("RULES__") or difflib.get_close_matches(name, sorted(known), n=1, cutoff=NEAR_MISS):
            found.append((key, value))
    if found:
        first, shown_value = found[0]
        error = unknown_key(first.upper(), shown_value, known)
        error.more = sorted({k.upper() for k, _ in found[1:]})
        raise error


# ---- values every settings class checks alike -----------------------------------------------------------

_PLACEHOLDERS = {"changeme", "change-me", "xxx", "token", "secret", "your-token-here", "...", "todo", "none"}
_PLACEHOLDER_WORDS = re.compile(r"your|here|example|placeholder|change.?me|^<.*>$|^x+$", re.I)


def is_placeholder(text: str) -> bool:
    """`xoxb-your-token`, `<token>`, `changeme`: what a template or a tutorial left in place."""
    text = text.strip()
    bare = re.sub(r"^(xox[abpe]|xapp)-", "", text, flags=re.I)
    return text.lower() in _PLACEHOLDERS or bare.lower() in _PLACEHOLDERS or bool(_PLACEHOLDER_WORDS.search(bare))


def refuse_placeholder(variable: str, secret: SecretStr | str | None) -> None:
    if secret is None:
        return
    text = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if is_placeholder(text):
        # A placeholder is no secret: showing it helps the admin find the line.
        raise SettingError(variable, text, "still holds a placeholder", "the real value, or leave it empty",
                           secret=False)


def database_url(value: str) -> str:
    """The URL SQLAlchemy needs: `postgres://` and `postgresql://` (what hosts hand out) get the psycopg
    driver; anything but PostgreSQL or SQLite is refused."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = value.strip()
    scheme, sep, rest = text.partition("://")
    if sep and scheme.lower() in {"postgres", "postgresql", "pg"}:
        text = "postgresql+psycopg://" + rest
    expected = "postgresql://USER:PASSWORD@HOST:5432/DATABASE, sqlite:///PATH, or empty for SQLite at SQLITE_PATH"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise SettingError("DATABASE_URL", value, "is not a database URL", expected) from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend not in {"postgresql", "sqlite"} or (backend == "postgresql" and driver not in {"psycopg", "psycopg2"}
                                                   and url.drivername != "postgresql"):
        raise SettingError("DATABASE_URL", value, f"names a database Podium does not support ({url.drivername})",
                           expected)
    if backend == "postgresql" and driver == "psycopg2":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def explain(error: BaseException, *, variable: str, value: str) -> StartupError | None:
    """A failure met while opening the database or a platform at start, as the admin's three lines; None when
    it is not one we know (a bug: it keeps its traceback)."""
    if isinstance(error, StartupError):
        return error
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    sqlite = variable == "SQLITE_PATH" or value.startswith("sqlite")
    if isinstance(error, (ArgumentError, NoSuchModuleError)):
        return StartupError(variable, value, "is not a database URL Podium can use",
                            "postgresql://USER:PASSWORD@HOST:5432/DATABASE or sqlite:///PATH")
    if isinstance(error, DBAPIError):
        reason = _first_line(error.orig) if error.orig is not None else _first_line(error)
        if sqlite:
            return StartupError(variable, value, f"cannot open the SQLite database ({reason})",
                                "a file in a directory Podium may write, e.g. data/podium.db")
        return StartupError(variable, value, f"cannot use the database ({reason})",
                            "a running PostgreSQL server and a role that may log in (see README, PostgreSQL)")
    if isinstance(error, OSError) and sqlite:
        return StartupError(variable, value, f"cannot create the database there ({_first_line(error)})",
                            "a file in a directory Podium may write, e.g. data/podium.db")
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    line = re.sub(r"^\(\w+(\.\w+)*\) ", "", line)
    return line if len(line) <= 120 else line[:117] + "…"
