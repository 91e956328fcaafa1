"""The DSA Transparency Database API (httpx)."""
