"""Signing in to the console over plain HTTP (no browser): the form's CSRF dance."""

from __future__ import annotations

import re

import httpx

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(page: httpx.Response) -> str:
    found = TOKEN.search(page.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(http: httpx.Client, **fields: str) -> httpx.Response:
    """Post the sign-in form with `api_key=` or `username=` and `password=`; the client
    keeps the session cookie when it works."""
    form = http.get("/console/login")
    return http.post("/console/login", data={"csrf_token": form_token(form), **fields})
