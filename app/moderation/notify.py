"""Mails to authors and reporters about moderation, written with queue_mail (sent by a job)."""

from __future__ import annotations

from datetime import datetime

from app.core.mail import queue_mail
from app.moderation.models import ActionKind
from app.moderation.rules import format_until
from app.moderation.targets import Target, excerpt

WHAT = {"discussion": "discussion", "reply": "reply", "profile": "profile", "message": "message"}
VERB = {ActionKind.HIDE: "hidden", ActionKind.REMOVE: "removed", ActionKind.EDIT: "edited"}


def _ctx(user, target: Target) -> dict:
    return {"user": user, "what": WHAT[target.type.value], "excerpt": excerpt(target)}


def auto_hidden(author, target: Target) -> None:
    """Tell the author their content was hidden pending review after several flags."""
    queue_mail(author.email, "moderation_auto_hidden", f"Your {WHAT[target.type.value]} is hidden pending review",
               _ctx(author, target))  # fmt: skip


def decision(author, target: Target, kind: ActionKind, reason: str) -> None:
    """Tell the author what a moderator did to their content and why."""
    verb = VERB.get(kind, "hidden")
    queue_mail(author.email, "moderation_decision", f"Your {WHAT[target.type.value]} was {verb} by a moderator",
               {**_ctx(author, target), "verb": verb, "reason": reason})  # fmt: skip


def flag_result(reporter, target: Target, upheld: bool) -> None:
    """Tell a reporter whether their flag was upheld."""
    subject = "Thank you: your flag was upheld" if upheld else "Your flag was reviewed"
    queue_mail(reporter.email, "moderation_flag_result", subject, {**_ctx(reporter, target), "upheld": upheld})


def sanction(user, kind: ActionKind, reason: str, until: datetime | None) -> None:
    """Tell a user they were warned, suspended (until when) or banned."""
    subjects = {
        ActionKind.WARN: "A warning from the Coach Connect moderators",
        ActionKind.SUSPEND: "Your Coach Connect account is suspended",
        ActionKind.BAN: "Your Coach Connect account is banned",
    }
    queue_mail(user.email, f"moderation_{kind.value}", subjects[kind],
               {"user": user, "reason": reason, "until": format_until(until) if until else None})  # fmt: skip
