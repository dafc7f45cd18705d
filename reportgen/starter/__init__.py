"""Commented starter files that ``reportgen init`` writes for a new firm."""
