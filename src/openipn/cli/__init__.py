"""OpenIPN cli layer."""
