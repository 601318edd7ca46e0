"""Tillit: trust-based and co-created governance for Nordic public-sector organisations."""
