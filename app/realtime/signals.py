"""Signals of the event stream: other domains react to what a user's stream handed over."""

from blinker import Namespace

_signals = Namespace()

# Sent after a stream or long-poll wrote events to a user: sender is the app, with user_id and
# delivered (the UserEvent rows). Messaging moves delivery watermarks on it.
events_delivered = _signals.signal("events-delivered")
