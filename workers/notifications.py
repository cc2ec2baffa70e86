"""rq entry point: the mail that may follow a notification, once its delay has passed."""

from app.notifications import services
from workers.context import job


@job
def mail_notification(notification_id: int) -> None:
    """Send the notification's mail if it is still unread and allowed; idempotent."""
    services.send_mail(notification_id)
