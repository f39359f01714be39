"""OpenIPN report layer."""
