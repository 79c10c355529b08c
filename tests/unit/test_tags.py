"""Tags as members type them: bounded in count, length and characters, kept in one form, refused by name."""

from __future__ import annotations

import pytest

from bot.domain.tags import MAX_TAG, MAX_TAGS, BadTag, TagTooLong, TooManyTags, parse_tags, shown, tag_of
from bot.i18n.catalog import render
from bot.surface.grammar import Grammar
from bot.surface.table import TABLE


def tags(n: int) -> str:
    return ",".join(f"t{i}" for i in range(n))


def test_the_count_is_bounded_at_limit_minus_one_limit_and_limit_plus_one():
    assert len(parse_tags(tags(MAX_TAGS - 1))) == MAX_TAGS - 1
    assert len(parse_tags(tags(MAX_TAGS))) == MAX_TAGS
    with pytest.raises(TooManyTags) as refused:
        parse_tags(tags(MAX_TAGS + 1))
    assert refused.value.params == {"max": MAX_TAGS, "count": MAX_TAGS + 1, "tags": "t0, t1, t2, t3, t4, t5"}


def test_the_length_is_bounded_at_limit_minus_one_limit_and_limit_plus_one():
    assert tag_of("a" * (MAX_TAG - 1)) == "a" * (MAX_TAG - 1)
    assert tag_of("a" * MAX_TAG) == "a" * MAX_TAG
    with pytest.raises(TagTooLong) as refused:
        tag_of("a" * (MAX_TAG + 1))
    assert refused.value.params == {"max": MAX_TAG, "tag": "a" * (MAX_TAG + 1), "length": MAX_TAG + 1}


def test_one_form_whatever_way_it_was_typed_and_repeats_dropped():
    assert parse_tags("#Pricing, PRICING design  ;Design") == ("pricing", "design")
    assert parse_tags("ｐｒｉｃｉｎｇ") == ("pricing",)  # full-width letters, as some keyboards type them
    assert parse_tags("Éducation,café_crème,web-3") == ("éducation", "café_crème", "web-3")
    assert parse_tags("") == () and parse_tags(" , ,") == ()
    assert parse_tags(["a,b", "c"]) == ("a", "b", "c")
    assert shown(("pricing", "design")) == "#pricing #design"


@pytest.mark.parametrize("typed", ["c++", "ask!", "l'été", "<@123>", "--", "#", "a.b"])
def test_anything_but_letters_digits_dash_and_underscore_is_refused_naming_the_tag(typed: str):
    with pytest.raises(BadTag) as refused:
        parse_tags(f"fine,{typed}")
    assert refused.value.params == {"tag": typed}


def test_the_refusals_read_in_english_and_french():
    with pytest.raises(TooManyTags) as refused:
        parse_tags(tags(6))
    error = refused.value
    assert render(error_message(error), "en") == "At most 5 tags; “t0, t1, t2, t3, t4, t5” makes 6."
    assert render(error_message(error), "fr").startswith("Au plus 5 étiquettes")


def error_message(error):  # noqa: ANN001, ANN201
    from bot.i18n.message import Message
    return Message(error.message, error.params)


def test_typed_tags_after_the_title_with_a_space_after_the_comma():
    grammar = Grammar(TABLE)
    parsed = grammar.parse("/stage open Weekly AMA tags=pricing, design")
    assert (parsed.values["title"], parsed.values["tags"]) == ("Weekly AMA", "pricing, design")
    parsed = grammar.parse("/stage open tags=pricing Weekly AMA")
    assert (parsed.values["title"], parsed.values["tags"]) == ("Weekly AMA", "pricing")
    assert grammar.parse("/tags pricing design").values["tags"] == "pricing design"
