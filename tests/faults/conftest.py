"""Fault-injection tests: real processes, real nats-server (or cluster), SQLite files under tmp_path.

The shared checks live in `harness.py`; rewrite its asserts so that a failure shows the values."""

import pytest

pytest.register_assert_rewrite("tests.faults.harness")
