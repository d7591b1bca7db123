"""Identity: the directory (tenants, apps, users, consent), the token service and discovery."""
