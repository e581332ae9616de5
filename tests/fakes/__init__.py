"""Fakes of AWS for the tests and the benchmark, attached at the one client seam."""
