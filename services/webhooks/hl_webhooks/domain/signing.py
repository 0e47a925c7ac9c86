"""Signatures of deliveries: the Standard Webhooks scheme (standardwebhooks.com), HMAC-SHA256.

    webhook-id:        the CloudEvent id (the same on every retry: the receiver's idempotency key)
    webhook-timestamp: Unix seconds when this attempt was signed
    webhook-signature: "v1,<base64 HMAC-SHA256(secret, id + "." + timestamp + "." + body)>",
                       space-separated, one per secret in use (two for a while after a rotation)

The secret is `whsec_` + base64 of 32 random bytes; the HMAC key is those bytes. Receivers check
the signature over the raw body, and refuse timestamps far from their clock (replays).
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_headers(event_id: str, body: str, signing_secrets: list[str], at: datetime) -> dict[str, str]:
    """The three headers of one signed attempt."""
    moment = datetime.fromtimestamp(int(at.timestamp()), UTC)
    signatures = " ".join(Webhook(secret).sign(event_id, moment, body) for secret in signing_secrets)
    return {"webhook-id": event_id, "webhook-timestamp": str(int(moment.timestamp())), "webhook-signature": signatures}
