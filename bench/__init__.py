"""Benchmarks, one command each: `python -m bench.seed`, `bench.api`, `bench.ui`, `bench.micro`.

See docs/performance.md for the method and the latest figures.
"""
