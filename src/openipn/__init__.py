"""OpenIPN: O&M platform for industrial 5G standalone non-public networks."""

__version__ = "0.1.0"
