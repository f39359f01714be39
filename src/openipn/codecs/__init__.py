"""OpenIPN codecs layer."""
