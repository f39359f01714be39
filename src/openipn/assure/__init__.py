"""OpenIPN assure layer."""
