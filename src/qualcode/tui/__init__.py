"""The Textual user interface (never imported by domain modules)."""
