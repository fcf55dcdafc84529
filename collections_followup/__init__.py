# The pure business rules in lib/ are tested with plain pytest where Odoo is
# not installed; pytest may import this package on the way to them, so the
# Odoo part is only loaded when Odoo is there.
try:
    import odoo  # noqa: F401
except ModuleNotFoundError as error:
    if error.name != "odoo":
        raise
else:
    from . import models
    from . import wizards
