"""rq entry point: the mail that may follow a notification, once its delay has passed."""

from app.notifications import push, services
from workers.context import job


@job
def mail_notification(notification_id: int) -> None:
    """Send the notification's mail if it is still unread and allowed; idempotent."""
    services.send_mail(notification_id)


@job
def push_notification(notification_id: int) -> None:
    """Push the notification to its user's subscribed browsers; removes the ones gone (404/410)."""
    push.push_notification(notification_id)
