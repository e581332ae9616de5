"""Benchmarks of cd-doctor against fake AWS with injected latency (see docs/performance.md)."""
