"""OpenIPN console layer."""
