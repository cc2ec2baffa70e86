"""Mail delivery job."""

from app.core import mail
from workers.context import job


@job
def deliver_mail(mail_id: int) -> None:
    """Deliver one OutgoingMail by id (idempotent)."""
    mail.deliver(mail_id)
