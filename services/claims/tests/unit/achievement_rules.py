"""Payment rules the achievement tests share (2023/24 money: £213.43 a point, average list 9,639)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cqrs_claims.achievement.domain.rules import IndicatorRule, PaymentRules, Rounding


def indicator(indicator_id: str = "CHOL001", **changes: Any) -> IndicatorRule:
    """An indicator worth 14 points between 70 % and 95 % (changes override)."""
    values: dict[str, Any] = {
        "indicator_id": indicator_id,
        "lower_threshold": Decimal(70),
        "upper_threshold": Decimal(95),
        "maximum_points": Decimal(14),
    }
    values.update(changes)
    return IndicatorRule(**values)


def payment_rules(
    *indicators: IndicatorRule, rounding: Rounding | None = None, **changes: Any
) -> PaymentRules:
    """QOF 2023/24 money around the given indicators (one CHOL001-like rule when none given)."""
    values: dict[str, Any] = {
        "quality_service_id": "qs-qof-2023",
        "financial_year": "2023/24",
        "commissioner_organisation_id": "X24",
        "price_per_point_pence": 21343,
        "national_average_list_size": 9639,
        "rounding": rounding or Rounding(),
        "indicators": list(indicators) or [indicator()],
    }
    values.update(changes)
    return PaymentRules(**values)
