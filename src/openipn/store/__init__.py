"""OpenIPN store layer."""
