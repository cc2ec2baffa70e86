"""Reading pages as a browser would: elements by id, the selected option of a <select>, the text."""

from __future__ import annotations

from html.parser import HTMLParser


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self._hidden = 0
        self.text: list[str] = []

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "id" in found:
            self.by_id.setdefault(found["id"], found)
        if tag in ("script", "style", "title"):
            self._hidden += 1
        if tag == "select":
            self._select = found.get("name")
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select is not None and "selected" in found:
            self.selects[self._select].append(found.get("value"))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._hidden -= 1
        if tag == "select":
            self._select = None


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def attributes(html: str, element_id: str) -> dict[str, str | None]:
    """The attributes of the element with this id (KeyError when there is none)."""
    return _parse(html).by_id[element_id]


def selected(html: str, name: str) -> list[str]:
    """The values of the selected options of the <select name=…>."""
    return _parse(html).selects[name]


class _Flashes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self._open = tag == "p" and "flash" in classes
        if self._open:
            self.texts.append("")

    def handle_endtag(self, tag):
        self._open = False

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def flashes(resp_or_html) -> list[str]:
    """The flash messages a page shows, in order (a response or its HTML)."""
    html = resp_or_html if isinstance(resp_or_html, str) else resp_or_html.get_data(as_text=True)
    parser = _Flashes()
    parser.feed(html)
    return [t.strip() for t in parser.texts]


def text_of(html: str) -> str:
    """The page's visible text, each element's text apart from the next, runs of white space as one."""
    return " ".join(" ".join(_parse(html).text).split())
