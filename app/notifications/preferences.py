"""Whether a notification's mail may go out: the user's optional-mail choices in Settings.

A kind maps to the optional mail a user can turn off there (`User.wants_mail`, OPTIONAL_MAILS);
kinds without one are always mailed to an active user with an address.
"""

from __future__ import annotations

# notification kind -> the optional mail template Settings lets a user turn off
OPTIONAL_MAIL_OF_KIND = {"message": "message_received"}


def mail_refusal(user, kind: str) -> str | None:
    """Why no mail goes to `user` for a notification of `kind` (None: it may go)."""
    if user is None or not getattr(user, "is_active", True):
        return "the account is disabled"
    if not user.email:
        return "the account has no e-mail address"
    template = OPTIONAL_MAIL_OF_KIND.get(kind)
    if template and not user.wants_mail(template):
        return f"the user turned off this mail in Settings ({template})"
    return None
