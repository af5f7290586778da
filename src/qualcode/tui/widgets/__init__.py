"""Widgets of the main coding screen, one per module."""
