"""The demo tenant: a ready app with every Defender XDR and Graph security permission, users,
and `demo.json` with the credentials scripts need."""
