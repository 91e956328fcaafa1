"""Listing versions as HTTP entity tags, and If-Match as the domain's precondition."""

from __future__ import annotations

import re

from probandi.domain.listings import IfMatch, Listing

# A strong entity tag (RFC 9110 8.8.3); weak ones never match in If-Match.
STRONG_TAG = re.compile(r'^"v(\d{1,18})"$')


def etag(listing: Listing) -> str:
    """The listing's stored version as a strong ETag, e.g. "v3"."""
    return f'"v{listing.version}"'


def parse_if_match(header: str | None) -> IfMatch | None:
    """None without the header; "*" matches any existing listing; a tag that is not one
    of ours (or a weak one) matches nothing, so the push is refused rather than applied."""
    if header is None:
        return None
    if header.strip() == "*":
        return IfMatch(any_version=True)
    versions = set()
    for tag in header.split(","):
        found = STRONG_TAG.match(tag.strip())
        if found:
            versions.add(int(found.group(1)))
    return IfMatch(versions=frozenset(versions))
