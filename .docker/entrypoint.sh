#!/bin/sh
# Container entry point: the web container migrates the database before gunicorn starts
# (only the web container, so the worker never races it), then runs the given command.
set -e
if [ "$1" = "gunicorn" ]; then
    flask db upgrade
fi
exec "$@"
