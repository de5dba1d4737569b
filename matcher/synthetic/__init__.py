"""Synthetic program folders of realistic shape and any size, for tests, benchmarks and demos."""
