"""`flask users create|token|otp`."""

from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import Role
from app.core.errors import ServiceError
from app.core.security import totp_uri

users_cli = AppGroup("users", help="Manage accounts.")


def _user_or_fail(email: str):
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--password", default=None, help="Omit to be prompted.")
def create(email: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create a user; staff roles print the otpauth:// URI to enrol an authenticator."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, [Role(r) for r in roles], password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.email} with roles {', '.join(sorted(roles))}.")
    if user.is_staff:
        click.echo(f"TOTP secret: {user.totp_secret}")
        click.echo(totp_uri(user.totp_secret, user.email))


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
def token(email: str, name: str) -> None:
    """Create a personal access token; the token alone is the last line."""
    user = _user_or_fail(email)
    row, plain = services.create_api_token(user, name)
    click.echo(f"Token {row.name!r} for {user.email} (shown once):")
    click.echo(plain)


@users_cli.command("otp")
@click.argument("email")
def otp(email: str) -> None:
    """Print the current TOTP code (development and testing only)."""
    if not current_app.config.get("ALLOW_OTP_CLI"):
        raise click.ClickException("flask users otp is refused in production.")
    user = _user_or_fail(email)
    if not user.totp_secret:
        raise click.ClickException(f"{email} has no TOTP secret (not a staff account).")
    click.echo(pyotp.TOTP(user.totp_secret).now())
