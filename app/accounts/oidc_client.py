"""The OpenID Connect client (Authlib) for "Sign in with Google", configured by the OIDC_* variables.

Without OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET there is no client, no button and the
/login/google routes answer 404. The client asks for the authorization code with PKCE (S256);
Authlib keeps the state, the nonce and the code verifier in the (server-side) session, checks the
state on the way back (once: it is dropped as it is read) and the ID token's signature, issuer,
audience, expiry and nonce.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import current_app

SCOPES = "openid email profile"


def oidc_enabled() -> bool:
    """True when the OIDC_* variables name a provider and this app's client at it."""
    cfg = current_app.config
    return bool(cfg.get("OIDC_ISSUER") and cfg.get("OIDC_CLIENT_ID") and cfg.get("OIDC_CLIENT_SECRET"))


def oidc_issuer() -> str:
    """The configured issuer, without a trailing slash (as ID tokens name it)."""
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def oidc_provider_name() -> str:
    """What the button says: 'Sign in with <name>'."""
    return current_app.config.get("OIDC_PROVIDER_NAME") or "Google"


def oidc_client():
    """The Authlib client for the current configuration (built once per configuration)."""
    cfg = current_app.config
    key = (oidc_issuer(), cfg["OIDC_CLIENT_ID"], cfg["OIDC_CLIENT_SECRET"])
    clients = current_app.extensions.setdefault("oidc_clients", {})
    if key not in clients:
        oauth = OAuth(current_app._get_current_object())
        clients[key] = oauth.register(
            "oidc",
            client_id=key[1],
            client_secret=key[2],
            server_metadata_url=f"{key[0]}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256"},
        )
    return clients[key]
