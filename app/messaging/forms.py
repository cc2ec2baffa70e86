"""The message form."""

import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.messaging.services import MAX_LENGTH


class MessageForm(FlaskForm):
    """Write a message."""

    # A double submit (or a resubmitted page) carries the same id and posts the message once.
    client_msg_id = HiddenField(default=lambda: uuid.uuid4().hex)
    body = TextAreaField("Message", validators=[DataRequired("Write a message first."), Length(max=MAX_LENGTH)])
