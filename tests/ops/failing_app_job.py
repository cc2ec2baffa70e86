"""A job for the tests that builds the app (as every worker entry point does) and then fails."""

from workers.context import job


@job
def fails_for(address: str) -> None:
    """Raise with a personal address in the message (the event must arrive without it)."""
    raise RuntimeError(f"could not deliver to {address}")
