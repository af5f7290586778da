"""qualcode: code interview transcripts and compare themes across organisations."""

__version__ = "0.1.0"
