"""A job for the tests: which process built the app this job runs in."""

import os

from workers import context
from workers.context import job


@job
def where_built() -> list[int | None]:
    """[the work horse's pid, the pid that built the app it is using]."""
    return [os.getpid(), context.built_in_pid]
