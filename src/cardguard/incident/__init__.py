"""Incidents: a recovery plan per kind, a timestamped timeline, and a report."""
