"""The main coding screen and its widgets: document browser, transcript, codebook, status bar."""
