"""Default policy, with the real-world source of each number (see ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Policy:
    """Configurable policy; every field has the documented default."""

    review_sla_working_days: int = 3  # Taobao 2016: 3-5 working days
    proof_deadline_working_days: int = 5
    invoice_validity_days: int = 180  # Amazon brand gating
    price_capture_validity_days: int = 30
    approved_price_band: Decimal = Decimal("0.20")  # +/- around the approved price
    reference_price_floor: Decimal = Decimal("0.30")  # below 30 % of reference: a signal
    review_lease: timedelta = timedelta(minutes=15)
    appeal_window_days: int = 183  # internal complaint open 6 months (DSA Art. 20)
    max_vouchers_per_listing: int = 20
    # Voucher forensics: Meta's PDQ match threshold and quality floor.
    near_duplicate_distance: int = 31  # of 256 bits
    min_pdq_quality: int = 50
    compared_candidates: int = 8  # nearest other vouchers compared image to image
    template_cluster_sellers: int = 3  # sellers sharing a template that make a cluster
