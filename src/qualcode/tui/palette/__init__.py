"""The command palette: every action by name, and the import/export commands it offers."""
