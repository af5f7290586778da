"""Screens pushed over the main coding view."""
