"""Use cases: managing subscriptions, fanning events out to deliveries, delivering them."""
