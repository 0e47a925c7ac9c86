"""The public routes, one module per resource; each route forwards to the service that owns it."""
