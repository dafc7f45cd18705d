"""Sending each client its edition by email, exactly once."""
