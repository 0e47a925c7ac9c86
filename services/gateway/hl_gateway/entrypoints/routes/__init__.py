"""The public routes, one module per resource; each route relays to the service that owns it."""
