"""Webhook delivery over HTTP: Standard Webhooks signatures and an aiohttp sender."""
