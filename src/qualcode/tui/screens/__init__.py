"""Full screens pushed over the main coding view: analyse, retrieval, search, suggestions,
codebook editor, help."""
