"""Server-rendered pages of the identity platform: sign-in, account picker, consent, admin
consent, device code, sign-out and the error page, with their HTTP routes."""
