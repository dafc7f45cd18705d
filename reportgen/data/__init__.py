"""Sources of prices and fundamentals, and the local store that keeps what they return."""
