"""The clock only schedules commands that exist, with options they accept."""

import click

from workers.clock import PERIODIC


def _resolve(app, words):
    command, ctx = app.cli, click.Context(app.cli)
    args = list(words)
    while args and isinstance(command, click.Group):
        name = args.pop(0)
        command = command.get_command(ctx, name)
        assert command is not None, f"flask {' '.join(words)}: no command {name!r}"
    return command, args


def test_every_scheduled_command_exists_and_parses(app):
    for _, words in [*PERIODIC, (0, ["reports", "schedule"])]:
        command, args = _resolve(app, words)
        assert not isinstance(command, click.Group), words
        command.make_context(command.name, list(args), resilient_parsing=False)  # raises on a bad option
