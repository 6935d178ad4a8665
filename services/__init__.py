"""User-scoped services: the only code that queries the database."""
