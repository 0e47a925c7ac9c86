"""Operator commands beyond run/serve/migrate (keys, status, imports, rebuilds) register here."""
