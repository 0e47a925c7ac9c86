"""The tip context's domain: the `Tip` aggregate, its commands, the reward rules, and the pure
rules that protect the tipster (redaction) and find duplicates.

No I/O and no clock of its own: callers pass `now` and any randomness.
"""
