"""Tests of the infrastructure adapters (storage, jobs, mail) and the console pages."""
