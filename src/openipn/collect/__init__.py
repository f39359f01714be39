"""OpenIPN collect layer."""
