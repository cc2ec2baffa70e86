"""rq entry points: thin functions that take ids and call a service. Safe to retry."""
