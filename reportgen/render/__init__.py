"""Narrative, templates and the PDF."""
