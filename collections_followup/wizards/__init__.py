from . import collections_credit_release
