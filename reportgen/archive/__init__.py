"""Dated editions on disk: the PDFs, the data they were built from, and a manifest."""
