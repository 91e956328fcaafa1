"""A stand-in for the Commission's DSA Transparency Database: its statement validation rules
as documented (API documentation and the validation rules of its source,
digital-services-act/transparency-database, schema in force since 2025-07-01). Kept in
tests: the real service cannot be reached from here.

`errors(record)` returns the field errors the database would answer with a 422; an empty
dict means the record would be stored."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

VISIBILITY = {
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
}
MONETARY = {
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
}
PROVISION = {
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
}
ACCOUNT = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
ACCOUNT_TYPES = {"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"}
GROUNDS = {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
CONTENT_TYPES = {
    f"CONTENT_TYPE_{t}"
    for t in ("APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER")
}
CATEGORIES = {
    f"STATEMENT_CATEGORY_{c}"
    for c in [
        "ANIMAL_WELFARE",
        "CONSUMER_INFORMATION",
        "CYBER_VIOLENCE",
        "CYBER_VIOLENCE_AGAINST_WOMEN",
        "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "ILLEGAL_OR_HARMFUL_SPEECH",
        "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "NOT_SPECIFIED_NOTICE",
        "OTHER_VIOLATION_TC",
        "PROTECTION_OF_MINORS",
        "RISK_FOR_PUBLIC_SECURITY",
        "SCAMS_AND_FRAUD",
        "SELF_HARM",
        "UNSAFE_AND_PROHIBITED_PRODUCTS",
        "VIOLENCE",
    ]
}
KEYWORDS = {
    f"KEYWORD_{k}"
    for k in [
        "COPYRIGHT_INFRINGEMENT",
        "DESIGN_INFRINGEMENT",
        "GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
        "PATENT_INFRINGEMENT",
        "TRADE_SECRET_INFRINGEMENT",
        "TRADEMARK_INFRINGEMENT",
        "INAUTHENTIC_LISTINGS",
        "PROHIBITED_PRODUCTS",
        "UNSAFE_PRODUCTS",
        "OTHER",
    ]
}  # the ones a marketplace of branded goods uses, of the 69
SOURCES = {
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
}
AUTOMATED = {
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
}
# Each restriction's end date, allowed only with its decision (documented fields).
END_DATES = {
    "end_date_visibility_restriction": "decision_visibility",
    "end_date_monetary_restriction": "decision_monetary",
    "end_date_service_restriction": "decision_provision",
    "end_date_account_restriction": "decision_account",
}
# Written out here, not imported from probandi: the stand-in is the contract's copy, so a
# wrong list in the product fails against it.
COUNTRIES = {
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
}
PUID = re.compile(r"^[a-zA-Z0-9-_]+$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIMITS = {
    "decision_facts": 5000,
    "illegal_content_explanation": 2000,
    "incompatible_content_explanation": 2000,
    "illegal_content_legal_ground": 500,
    "incompatible_content_ground": 500,
    "source_identity": 500,
    "puid": 500,
}


def _date(value: Any, lowest: date) -> str | None:
    if not isinstance(value, str) or not DAY.match(value):
        return "must be a date in the format YYYY-MM-DD"
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "is not a valid date"
    if not lowest <= day <= date(2038, 1, 1):
        return f"must be between {lowest} and 2038-01-01"
    return None


def errors(record: dict[str, Any]) -> dict[str, list[str]]:
    """The field errors of one statement under the documented rules."""
    found: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        found.setdefault(field, []).append(message)

    decisions = (
        "decision_visibility",
        "decision_monetary",
        "decision_provision",
        "decision_account",
    )
    if not any(record.get(f) for f in decisions):
        bad("decision_visibility", "one of the decision fields is required")
    for field, allowed in (("decision_visibility", VISIBILITY), ("content_type", CONTENT_TYPES)):
        value = record.get(field)
        if value is not None and (not isinstance(value, list) or not set(value) <= allowed):
            bad(field, f"must be a list of {sorted(allowed)}")
    for field, allowed in (
        ("decision_monetary", MONETARY),
        ("decision_provision", PROVISION),
        ("decision_account", ACCOUNT),
        ("account_type", ACCOUNT_TYPES),
    ):
        if record.get(field) is not None and record[field] not in allowed:
            bad(field, "the selected value is invalid")
    for field, allowed in (
        ("decision_ground", GROUNDS),
        ("category", CATEGORIES),
        ("source_type", SOURCES),
        ("automated_decision", AUTOMATED),
    ):
        if record.get(field) not in allowed:
            bad(field, "is required and must be a documented value")
    if record.get("automated_detection") not in ("Yes", "No"):
        bad("automated_detection", "must be Yes or No")
    if not record.get("content_type"):
        bad("content_type", "is required")
    if "CONTENT_TYPE_OTHER" in (record.get("content_type") or []) and not record.get(
        "content_type_other"
    ):
        bad("content_type_other", "is required with CONTENT_TYPE_OTHER")
    spec = record.get("category_specification")
    if spec is not None and (not isinstance(spec, list) or not set(spec) <= KEYWORDS):
        bad("category_specification", "must be a list of documented keywords")
    if record.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT":
        for field in ("illegal_content_legal_ground", "illegal_content_explanation"):
            if not record.get(field):
                bad(field, "is required when the ground is illegal content")
    if record.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        for field in ("incompatible_content_ground", "incompatible_content_explanation"):
            if not record.get(field):
                bad(field, "is required when the ground is incompatible content")
        if record.get("incompatible_content_illegal") not in (None, "Yes", "No"):
            bad("incompatible_content_illegal", "must be Yes or No")
    scope = record.get("territorial_scope")
    if not isinstance(scope, list) or not scope or not set(scope) <= COUNTRIES:
        bad("territorial_scope", "must be a list of EU/EEA country codes")
    for field, lowest in (
        ("content_date", date(2000, 1, 1)),
        ("application_date", date(2020, 1, 1)),
    ):
        problem = _date(record.get(field), lowest)
        if problem:
            bad(field, problem)
    for field, decision in END_DATES.items():
        if record.get(field) is None:
            continue
        problem = _date(record[field], date(2020, 1, 1))
        if problem:
            bad(field, problem)
        elif not record.get(decision):
            bad(field, f"is only allowed with {decision}")
        elif str(record[field]) < str(record.get("application_date")):
            bad(field, "must be a date after or equal to application_date")
    if not isinstance(record.get("decision_facts"), str) or not record["decision_facts"].strip():
        bad("decision_facts", "is required")
    puid = record.get("puid")
    if not isinstance(puid, str) or not PUID.match(puid):
        bad("puid", "is required: letters, digits, - and _ only")
    for field, limit in LIMITS.items():
        value = record.get(field)
        if isinstance(value, str) and len(value) > limit:
            bad(field, f"may not be greater than {limit} characters")
    if "url" in record:
        bad("url", "is not a field of the current schema")
    return found
