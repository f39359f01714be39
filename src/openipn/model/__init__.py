"""OpenIPN model layer."""
