from . import collections_level
from . import collections_policy
from . import res_company
from . import res_config_settings
