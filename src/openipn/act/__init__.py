"""OpenIPN act layer."""
