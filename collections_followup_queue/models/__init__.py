from . import collections_followup_run
from . import collections_run
from . import res_company
from . import res_config_settings
