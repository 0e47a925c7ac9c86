"""The webhooks service: subscriptions of integrators' URLs to the public event streams, and their
signed, retried, logged deliveries (CloudEvents over HTTP). A consumer of the streams, like reporting."""
