"""The one Content-Security-Policy builder: the site's policy, and what a page may add to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g

# The site's policy; script-src gets the response's nonce. A page widens it only through
# `csp_allows(...)` below (or `policy(...)` for a response it builds itself).
BASE: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "img-src": ("'self'", "data:", "blob:"),
    "style-src": ("'self'", "'unsafe-inline'"),
    "script-src": ("'self'",),
    "frame-ancestors": ("'none'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
}

# A mail's HTML body shown alone in the console's sandboxed frame: no script, no fetches.
SANDBOXED_MAIL = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def policy(nonce: str = "", **extra: tuple[str, ...]) -> str:
    """The site's policy with sources added per directive (`script_src=("https://js.stripe.com",)`)."""
    directives = {name: list(sources) for name, sources in BASE.items()}
    if nonce:
        directives["script-src"].append(f"'nonce-{nonce}'")
    for key, sources in extra.items():
        directives.setdefault(key.replace("_", "-"), []).extend(sources)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def response_policy(**extra: tuple[str, ...]) -> str:
    """This response's policy: the site's, its nonce, what the view asked for with `csp_allows`, `extra`."""
    return policy(getattr(g, "csp_nonce", ""), **{**getattr(g, "csp_extra", {}), **extra})


def csp_allows(**extra: tuple[str, ...]) -> Callable:
    """A view decorator: this page's policy adds these sources (e.g. `script_src=("'unsafe-eval'",)`)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.csp_extra = extra
            return view(*args, **kwargs)

        return wrapped

    return decorate
