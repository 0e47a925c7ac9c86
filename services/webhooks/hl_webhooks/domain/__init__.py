"""Subscriptions, selectors, outbound address rules, retry schedule and signatures: no I/O."""
