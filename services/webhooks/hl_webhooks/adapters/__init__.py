"""Tables, stores, the HTTP sender, DNS and the gateway's identity directory."""
