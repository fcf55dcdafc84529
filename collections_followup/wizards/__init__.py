from . import collections_credit_release
from . import collections_charge_invoice
from . import collections_charge_waive
