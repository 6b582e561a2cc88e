"""Scheduling: APScheduler only ticks; the database holds every due item."""
