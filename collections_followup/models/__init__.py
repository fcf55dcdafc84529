from . import collections_level
from . import collections_policy
from . import collections_dispute
from . import account_move
from . import res_company
from . import res_config_settings
from . import res_partner
