from . import test_sale_credit
from . import test_sale_trust
from . import test_access_matrix
from . import test_portal_credit
from . import test_tour_salesperson
