"""Default policy, with the real-world source of each number (see ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from probandi.domain.notifiers import NotifierRules
from probandi.domain.penalties import PenaltyRules
from probandi.domain.screening.evidence import TierPolicy
from probandi.domain.webhooks import WebhookPolicy


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
    # Notices (China E-Commerce Law Art. 42-43; Alibaba IPP; EU DSA Art. 16-23).
    counter_notice_working_days: int = 3  # Alibaba.com: the seller's window to answer
    holder_window_days: int = 15  # E-Commerce Law Art. 43: to report a complaint or lawsuit
    holder_window_max_working_days: int = 20  # SPC reply 2020: one extension, at most this
    record_window_days: int = 91  # the notifier's record covers a rolling 3 months
    trusted_upheld_share: Decimal = Decimal("0.90")  # Alibaba good-faith program
    trusted_counter_share: Decimal = Decimal("0.05")
    trusted_min_items: int = 20
    trust_cooloff_days: int = 91
    abusive_share: Decimal = Decimal("0.50")  # mostly withdrawn or overturned (DSA Art. 23)
    abusive_min_items: int = 5
    filing_suspension_days: int = 30
    # The penalty ledger (Alibaba three strikes).
    strike_window_days: int = 365
    strike_gaps_working_days: tuple[int, ...] = (5, 7)
    close_at_strikes: int = 3
    restrict_at_strikes: int = 2
    gated_restriction_days: int = 30  # no new listings of gated brands
    # Read every voucher off the request path; a task waits for its readings (ADR 0009).
    read_vouchers: bool = True
    reading_attempts: int = 5  # a worker killed mid-reading costs one; then it is failed
    # Webhooks (ADR 0012): retried for 3 days, an endpoint failing 5 days is disabled.
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    # Brand-signed credentials (ADR 0014): a fully verified one approves without a person.
    auto_approve_signed_credentials: bool = True
    # Where status lists are published: the base of the URLs written into credentials.
    public_base_url: str = "http://127.0.0.1:8000"
    # Screening tiers (issue 20): the probability at which a derived alias (阿玛, 战马,
    # McQueen) holds a listing as `likely`, and at which it is a `possible` review signal.
    screening_likely: float = 0.85
    screening_possible: float = 0.5
    # Transparency reports (DSA Art. 15, 24): who reports, and the longest period asked for.
    provider_name: str = "probandi"
    report_max_days: int = 366
    # The locale of a reader who chose none and whose client asks for none we speak
    # (issue 21): `en` or `zh_CN`.
    default_locale: str = "en"

    def screening_tiers(self) -> TierPolicy:
        return TierPolicy(likely=self.screening_likely, possible=self.screening_possible)

    def notifier_rules(self) -> NotifierRules:
        return NotifierRules(
            window=timedelta(days=self.record_window_days),
            trusted_upheld=float(self.trusted_upheld_share),
            trusted_counter=float(self.trusted_counter_share),
            trusted_min_items=self.trusted_min_items,
            trust_cooloff=timedelta(days=self.trust_cooloff_days),
            abuse_share=float(self.abusive_share),
            abuse_min_items=self.abusive_min_items,
            abuse_suspension=timedelta(days=self.filing_suspension_days),
        )

    def penalty_rules(self) -> PenaltyRules:
        return PenaltyRules(
            strike_window=timedelta(days=self.strike_window_days),
            strike_gaps_working_days=self.strike_gaps_working_days,
            close_at_strikes=self.close_at_strikes,
            restrict_at_strikes=self.restrict_at_strikes,
            restriction=timedelta(days=self.gated_restriction_days),
        )
