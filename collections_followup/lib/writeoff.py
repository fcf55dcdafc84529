"""Write-off (baixa para perdas): which tax-deductibility criterion a loss meets.

Lei 9.430/1996, art. 9, as amended by Lei 13.097/2015 (§ 7, operations from
8 October 2014 on), lets a company deduct as a loss the credits:

- against a debtor declared bankrupt or in judicial reorganisation (IV);
- without guarantee (II), per operation:
  a) up to R$ 15,000.00, overdue more than six months, whatever the
     collection procedures;
  b) above R$ 15,000.00 up to R$ 100,000.00, overdue more than a year, with
     the administrative collection kept up;
  c) above R$ 100,000.00, overdue more than a year, with a lawsuit started
     and kept up;
- with guarantee (III), overdue more than two years:
  a) up to R$ 50,000.00, whatever the judicial procedures;
  b) above R$ 50,000.00, with a lawsuit (or the seizure of the guarantee)
     started.

The amounts and months are parameters (company settings), the defaults
being the law's. Pure Python: Decimal amounts, dates in, a code out.
"""

from dataclasses import dataclass
from decimal import Decimal

from .money import to_decimal
from .plans import add_months

BANKRUPTCY = "bankruptcy"
UNSECURED_SMALL = "unsecured_small"
UNSECURED_MEDIUM = "unsecured_medium"
UNSECURED_LARGE = "unsecured_large"
SECURED_SMALL = "secured_small"
SECURED_LARGE = "secured_large"
CRITERIA = (BANKRUPTCY, UNSECURED_SMALL, UNSECURED_MEDIUM, UNSECURED_LARGE, SECURED_SMALL, SECURED_LARGE)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The bands of art. 9 § 7 (amounts in the company currency, months overdue)."""

    small_amount: Decimal = Decimal("15000")
    large_amount: Decimal = Decimal("100000")
    secured_amount: Decimal = Decimal("50000")
    small_months: int = 6
    large_months: int = 12
    secured_months: int = 24


def overdue_more_than(due_date, on, months):
    """True when on ``on`` the credit due on ``due_date`` is overdue more than ``months`` months."""
    return on > add_months(due_date, months)


def deductibility(
    amount,
    due_date,
    on,
    *,
    thresholds=Thresholds(),
    secured=False,
    administrative_collection=False,
    lawsuit=False,
    bankruptcy=False,
):
    """The criterion of art. 9 met by a loss, or ``None``.

    :param amount: value of the operation (Decimal, company currency).
    :param due_date: its due date; ``on``: the write-off date.
    :param secured: the credit has a guarantee.
    :param administrative_collection: collection (reminders, notices) was kept up.
    :param lawsuit: judicial collection (or seizure of the guarantee) started and kept up.
    :param bankruptcy: the debtor was declared bankrupt or is in judicial reorganisation.
    :return: one of ``CRITERIA`` or ``None`` when none is met (the loss is not deductible yet).
    """
    amount = to_decimal(amount)
    if bankruptcy:
        return BANKRUPTCY
    if secured:
        if not overdue_more_than(due_date, on, thresholds.secured_months):
            return None
        if amount <= thresholds.secured_amount:
            return SECURED_SMALL
        return SECURED_LARGE if lawsuit else None
    if amount <= thresholds.small_amount:
        return UNSECURED_SMALL if overdue_more_than(due_date, on, thresholds.small_months) else None
    if not overdue_more_than(due_date, on, thresholds.large_months):
        return None
    if amount <= thresholds.large_amount:
        return UNSECURED_MEDIUM if administrative_collection or lawsuit else None
    return UNSECURED_LARGE if lawsuit else None


__all__ = ["CRITERIA", "Thresholds", "deductibility", "overdue_more_than"]
