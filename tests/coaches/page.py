"""A small reader of pages for the coach tests: every element with its attributes and its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    """One element: tag, attributes, the text inside it, its ancestors' tags and classes."""

    tag: str
    attrs: dict
    text: str = ""
    inside: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The element's class names."""
        return set((self.attrs.get("class") or "").split())


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        inside = [o.tag for o in self.open] + [f".{c}" for o in self.open for c in o.classes]
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, inside=inside)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


def elements(html: str) -> list[Element]:
    """Every element of the page, in document order."""
    reader = _Reader()
    reader.feed(html)
    for element in reader.elements:
        element.text = " ".join(element.text.split())
    return reader.elements


def by_id(html: str, element_id: str) -> Element:
    """The element with this id."""
    return next(e for e in elements(html) if e.attrs.get("id") == element_id)


def checklist(html: str) -> dict[str, str]:
    """The go-live checklist: item key -> 'done' or 'todo'."""
    return {e.attrs["data-item"]: e.attrs["class"] for e in elements(html) if "data-item" in e.attrs}


def checklist_links(html: str) -> dict[str, str]:
    """The checklist's links: text -> href."""
    return {e.text: e.attrs["href"] for e in elements(html) if e.tag == "a" and ".checklist" in e.inside}


def button(html: str, text: str) -> Element:
    """The button showing this text."""
    return next(e for e in elements(html) if e.tag == "button" and e.text == text)


def result_names(html: str) -> list[str]:
    """The coaches' names linked from a search results page."""
    return [e.text for e in elements(html) if e.tag == "a" and e.attrs.get("href", "").startswith("/coaches/")
            and e.attrs["href"].removeprefix("/coaches/").isdigit()]  # fmt: skip
