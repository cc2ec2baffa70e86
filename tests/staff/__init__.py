"""Tests of the /staff console pages of the shell (accounts, audit log, outbox, jobs)."""
