from . import test_foundation
from . import test_followup_run
from . import test_promises
from . import test_credit_control
from . import test_late_fees
from . import test_late_fees_portal
from . import test_credit_trust
