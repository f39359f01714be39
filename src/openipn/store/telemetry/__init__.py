"""The embedded time-series store of counter values (PM files, scrapes, terminal reports)."""
