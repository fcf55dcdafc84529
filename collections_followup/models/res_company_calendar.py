from odoo import api, models


class CollectionsCutoffCacheMixin(models.AbstractModel):
    """Records whose changes move working days (time off, attendances): the
    overdue cutoff cached per company and date (``res.company
    ._collections_overdue_cutoff``) is cleared whenever one changes."""

    _name = "collections.cutoff.cache.mixin"
    _description = "Clears the cached overdue cutoff on change"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()


class ResourceCalendarLeaves(models.Model):
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "collections.cutoff.cache.mixin"]


class ResourceCalendarAttendance(models.Model):
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "collections.cutoff.cache.mixin"]
