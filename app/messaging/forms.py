"""The message form."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.messaging.services import MAX_LENGTH


class MessageForm(FlaskForm):
    """Write a message."""

    body = TextAreaField("Message", validators=[DataRequired("Write a message first."), Length(max=MAX_LENGTH)])
