"""Pure functions from price and fundamentals frames to the report's figures."""
