"""Realistic demo data for a province (``flask demo seed``)."""
