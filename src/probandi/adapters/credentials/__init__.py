"""Brand-signed credentials as JOSE (joserfc)."""
