"""Reusable UI pieces: they take data and callbacks and never reach for the database."""
