"""Citizen ratings by QR: tokens, the rating page, rollups, moderation."""
