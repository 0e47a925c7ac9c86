"""Hazard Ledger benchmarks: `bench/run [--quick]` (see bench/README.md)."""
