"""Complaints and alerts."""
