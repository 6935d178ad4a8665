"""Tasklight core: configuration, database, models, security and the REST API."""
