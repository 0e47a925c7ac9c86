"""The public REST contract (`/api/v1`): request and response schemas shared by the gateway, which
publishes them in its OpenAPI document, and the internal services, which accept the same bodies.
One schema family per resource (`HazardCreate`, `HazardPublic`, …)."""
