from . import test_foundation
from . import test_credit_control
from . import test_late_fees
from . import test_late_fees_portal
