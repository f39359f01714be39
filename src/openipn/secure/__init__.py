"""OpenIPN secure layer."""
