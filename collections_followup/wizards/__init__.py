from . import collections_run_wizard
from . import collections_process_wizard
from . import collections_postpone_wizard
from . import collections_contact_wizard
from . import collections_dispute_wizard
from . import collections_credit_release
from . import collections_charge_invoice
from . import collections_charge_waive
