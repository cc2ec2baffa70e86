"""Signals the community domain sends; other domains subscribe (moderation flags held posts)."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the posting transaction with the post (Discussion or Reply) as sender and
# `note` naming why it is held: receivers may add rows (they join the transaction) and register
# after-commit effects, but must not commit.
post_held_for_review = _signals.signal("post-held-for-review")
