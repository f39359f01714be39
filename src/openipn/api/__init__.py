"""OpenIPN api layer."""
