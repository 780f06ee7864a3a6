"""Operational settings that administrators change in the portal (no views: see admin)."""
