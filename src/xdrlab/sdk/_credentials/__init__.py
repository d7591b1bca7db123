"""Credentials for the three access contexts (application, user, partner)."""
