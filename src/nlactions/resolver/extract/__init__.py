"""Rule-based extraction of need values from plain-English instructions."""

from nlactions.resolver.extract.offline import OfflineExtractor

__all__ = ["OfflineExtractor"]
