"""One module per grant type; the endpoint picks the grant by `grant_type`."""
