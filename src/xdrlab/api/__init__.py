"""The Defender XDR API and the Graph security API: bearer validation, incidents, hunting."""
