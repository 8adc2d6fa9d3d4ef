"""Benchmarks: our code next to the physical limit on the same data (docs: BENCHMARKS.md).

Run with ``python -m bench --scale town|city --db sqlite|postgresql [--only NAME]``.
"""
