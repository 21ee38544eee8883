"""Benchmark cases, one module per area."""
