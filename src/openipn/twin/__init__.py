"""OpenIPN twin layer."""
