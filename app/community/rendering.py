"""Markdown to HTML for community posts, sanitised with nh3 against an allow-list."""

from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
        "tr", "th", "td", "del",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
MAX_INPUT = 20_000


def render_markdown(body_md: str) -> str:
    """Markdown (raw HTML inside is not trusted) → sanitised HTML safe to show to anyone.

    nh3 drops every tag and attribute outside the allow-list (scripts, styles, event handlers,
    SVG, iframes, forms) and every URL whose scheme is not http, https or mailto.
    """
    html = markdown.markdown(body_md[:MAX_INPUT], extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )


def plain_excerpt(body_md: str, length: int = 160) -> str:
    """Text without markup for lists and mails (escaped by the template that shows it)."""
    return html_excerpt(render_markdown(body_md), length)


def html_excerpt(body_html: str, length: int = 160) -> str:
    """The same text from a post's stored, already sanitised HTML: no Markdown pass (the queues list 100)."""
    text = " ".join(nh3.clean(body_html, tags=set()).split())
    return text if len(text) <= length else text[: length - 1] + "…"
