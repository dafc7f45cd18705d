"""Dated editions on disk: publishing, listing, verifying and indexing them."""
