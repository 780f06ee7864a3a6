"""Scoring: pure rules (``rules.py``) and, later, the services that apply them."""
