"""Simulation of the twin: radio, mobility, traffic, latency, core signalling and faults."""
