"""Device-side interfaces of the twin: what real equipment presents on the wire."""
