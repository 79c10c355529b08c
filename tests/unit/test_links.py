"""What a stage's link may be (bot.domain.links): http or https, with a host, bounded."""

from __future__ import annotations

import pytest

from bot.domain.links import MAX_LABEL, MAX_URL, LabelTooLong, LinkTooLong, NotALink, checked


def url_of(length: int) -> str:
    head = "https://example.com/"
    return head + "a" * (length - len(head))


def test_http_and_https_links_are_kept_with_their_label_tidied() -> None:
    assert checked(" https://example.com/slides.pdf ", "  The   slides ") == ("https://example.com/slides.pdf",
                                                                            "The slides")
    assert checked("<http://example.org>", "") == ("http://example.org", "")  # Slack's <…> around a link
    assert checked("<https://example.org/a|example.org/a>", "") == ("https://example.org/a", "")
    assert checked("HTTPS://Example.com/a?b=c&d=e#f", "x")[0] == "HTTPS://Example.com/a?b=c&d=e#f"


@pytest.mark.parametrize("url", ["ftp://example.com/file", "javascript:alert(1)", "example.com", "https://",
                                 "https:///path", "http://exa mple.com", "mailto:someone@example.com",
                                 "https://example.com/<script>", "file:///etc/passwd", ""])
def test_anything_else_is_refused_naming_it(url: str) -> None:
    with pytest.raises(NotALink) as refused:
        checked(url, "")
    assert refused.value.params == {"url": url}


def test_the_url_and_the_label_are_bounded_at_their_limit() -> None:
    assert checked(url_of(MAX_URL - 1), "")[0] == url_of(MAX_URL - 1)
    assert checked(url_of(MAX_URL), "")[0] == url_of(MAX_URL)
    with pytest.raises(LinkTooLong) as long_url:
        checked(url_of(MAX_URL + 1), "")
    assert long_url.value.params == {"max": MAX_URL, "length": MAX_URL + 1}
    assert checked("https://example.com", "l" * MAX_LABEL)[1] == "l" * MAX_LABEL
    with pytest.raises(LabelTooLong) as long_label:
        checked("https://example.com", "l" * (MAX_LABEL + 1))
    assert long_label.value.params == {"max": MAX_LABEL, "length": MAX_LABEL + 1}
