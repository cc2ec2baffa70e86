"""XSS payloads posted through the forms and the API never come back executable."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.accounts.services import create_api_token
from app.community.rendering import render_markdown
from app.moderation import rules
from tests.conftest import csrf_token_from
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, add_member, set_setting

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](data:text/html,<script>alert(1)</script>)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>alert(1)//<</script>",
    '<img src="x" onerror="alert(1)"',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "![x](javascript:alert(1))",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "`</code><script>alert(1)</script>`",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="\\x01javascript:alert(1)">x</a>',
    '<video><source onerror="alert(1)"></video>',
    "<isindex type=image src=1 onerror=alert(1)>",
]

FORBIDDEN_TAGS = {"style", "iframe", "object", "embed", "svg", "math", "base", "meta", "link", "frame", "frameset",
                  "applet", "video", "audio", "source", "isindex", "noscript", "template"}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)


class ExecutableFinder(HTMLParser):
    """Collects anything a browser could execute: scripts, handlers, script URLs, active tags."""

    def __init__(self, whole_page: bool):
        super().__init__(convert_charrefs=True)
        self.whole_page = whole_page
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            src = attrs.get("src") or ""
            if not (self.whole_page and src.startswith("/static/") and attrs.get("nonce")):
                self.problems.append(f"script tag {attrs}")
            self.in_script = True
        ours = (tag == "meta" and "http-equiv" not in attrs) or (
            tag == "link" and (attrs.get("href") or "").startswith("/static/")
        )
        if tag in FORBIDDEN_TAGS and not (self.whole_page and ours):
            self.problems.append(f"<{tag}>")
        if tag == "form" and not (attrs.get("action") or "").startswith("/"):
            self.problems.append(f"form {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRS and value is not None:
                cleaned = re.sub(r"[\x00-\x20]", "", value)
                if BAD_SCHEME.match(cleaned):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def executable_parts(html: str, whole_page: bool = True) -> list[str]:
    """What in this HTML could run in a browser (empty when safe)."""
    finder = ExecutableFinder(whole_page)
    finder.feed(html)
    finder.close()
    return finder.problems


@pytest.fixture
def setup(client):
    """A group with an author (logged in) and an API token for them; generous posting limits."""
    set_setting(rules.RATE_LIMIT, {"window_seconds": 600, "max_posts": 1000, "new_account_days": 7,
                                   "new_max_posts": 1000})  # fmt: skip
    group = GroupFactory()
    author = add_member(group, OldUserFactory())
    _, token = create_api_token(author, "xss")
    return group, author, {"Authorization": f"Bearer {token}"}


def _assert_safe_page(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, path
    problems = executable_parts(resp.get_data(as_text=True))
    assert not problems, f"{path}: {problems}"


def _assert_safe_json(items):
    for item in items:
        problems = executable_parts(item["body_html"], whole_page=False)
        assert not problems, f"{item['id']}: {problems}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_never_executable(client, login_as, setup, payload):
    group, author, auth = setup
    login_as(author)
    # Through the forms: a discussion and a reply.
    token = csrf_token_from(client, f"/community/groups/{group.slug}/new")
    resp = client.post(f"/community/groups/{group.slug}/new",
                       data={"title": "Form post", "body": payload, "csrf_token": token})  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)
    form_discussion = int(resp.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token_from(client, f"/community/discussions/{form_discussion}")
    resp = client.post(f"/community/discussions/{form_discussion}/replies", data={"body": payload, "csrf_token": token})
    assert resp.status_code == 302
    # Through the API: a discussion and a reply.
    resp = client.post(f"/api/groups/{group.id}/discussions", json={"title": "API post", "body": payload},
                       headers=auth)  # fmt: skip
    assert resp.status_code == 201
    _assert_safe_json([resp.get_json()])
    api_discussion = resp.get_json()["id"]
    resp = client.post(f"/api/discussions/{api_discussion}/replies", json={"body": payload}, headers=auth)
    assert resp.status_code == 201
    _assert_safe_json([resp.get_json()])

    for path in (
        f"/community/groups/{group.slug}",
        f"/community/discussions/{form_discussion}",
        f"/community/discussions/{api_discussion}",
    ):
        _assert_safe_page(client, path)
    for d in (form_discussion, api_discussion):
        fragment = client.get(f"/community/discussions/{d}/replies.json?after=0").get_json()["html"]
        assert not executable_parts(fragment, whole_page=False)
        _assert_safe_json(client.get(f"/api/discussions/{d}/replies").get_json()["items"])
    _assert_safe_json(client.get(f"/api/groups/{group.id}/discussions").get_json()["items"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_markdown_alone_is_safe(payload):
    assert not executable_parts(render_markdown(payload), whole_page=False)


def test_titles_are_escaped_on_pages(client, setup):
    group, author, auth = setup
    d = DiscussionFactory(group=group, author=author, title="<script>alert(1)</script><img src=x onerror=alert(1)>")
    for path in (f"/community/groups/{group.slug}", f"/community/discussions/{d.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert not executable_parts(html)


def test_ordinary_markdown_still_renders_with_safe_links():
    html = render_markdown("**bold** and [a link](https://example.org)\n\n- one\n- two\n\n```\ncode\n```")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">a link</a>' in html
    assert "<li>one</li>" in html and "<pre><code>code" in html
