"""Exact money arithmetic: Decimal in, Decimal out, rounded once, half-up."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")


def to_decimal(value):
    """Return ``value`` as a Decimal without binary-float noise.

    Floats (as the ORM hands them out) go through ``repr`` so 0.1 stays 0.1.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_money(value, rounding="0.01"):
    """Round ``value`` half-up to a multiple of the currency's ``rounding``.

    ``rounding`` is the currency's smallest unit (Odoo's ``res.currency.rounding``,
    e.g. 0.01, 1 or 0.05). The result is a Decimal with the exponent of the
    rounding unit.
    """
    value = to_decimal(value)
    unit = to_decimal(rounding)
    if unit <= 0:
        raise ValueError("rounding must be positive")
    units = (value / unit).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return units * unit
