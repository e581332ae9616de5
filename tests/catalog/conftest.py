"""Catalog tests: the corpus accuracy line reaches the run's summary through ``record_property("summary", ...)``."""
