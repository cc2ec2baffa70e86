"""The message forms: a first message to a coach, and a message in a conversation (with a file)."""

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.messaging.services import MAX_LENGTH


class MessageForm(FlaskForm):
    """Write a message."""

    # A double submit (or a resubmitted page) carries the same id and posts the message once.
    client_msg_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField("Message", validators=[DataRequired("Write a message first."), Length(max=MAX_LENGTH)])


class ThreadMessageForm(MessageForm):
    """A message in a conversation: text, a file, or both (the service says when both are missing)."""

    body = TextAreaField("Message", validators=[Length(max=MAX_LENGTH)])
    attachment = FileField(
        "Attach a file (PDF, PNG or JPEG, up to 10 MB)", render_kw={"accept": "application/pdf,image/png,image/jpeg"}
    )
