"""Brand screening: normalization with an offset map, match verification, counterfeit signals.

The simple exact/folded matcher (`aliases.AliasMatcher`) and the match types are re-exported
here; the obfuscation-proof engine lives in `probandi.adapters.screening`.
"""

from probandi.domain.screening.aliases import AliasMatcher, BrandMatch

__all__ = ["AliasMatcher", "BrandMatch"]
