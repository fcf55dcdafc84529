from . import test_foundation
from . import test_followup_run
from . import test_promises
