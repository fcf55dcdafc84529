from datetime import datetime, time, timedelta

import pytz

from odoo import api, models, tools

from ..lib import late_fees, receivable
from ..lib.workdays import WEEKEND


class ResCompany(models.Model):
    _inherit = "res.company"

    def _collections_working_days(self, date_from, date_to):
        """(holidays, weekend) of the company between two dates, for ``lib.workdays``.

        Holidays are the global time off (``resource.calendar.leaves`` without
        a resource) of the company's working calendar or of no calendar: a
        day is a holiday when the time off covers its noon in the calendar's
        timezone (so a holiday entered from 00:00 to 23:59 in any timezone
        within 11 hours of UTC is exactly that day). The weekend is the days
        without attendance in the calendar; Saturday and Sunday without one.
        """
        self.ensure_one()
        calendar = self.resource_calendar_id.sudo()
        timezone = pytz.timezone(calendar.tz or self.partner_id.tz or "UTC")
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", [calendar.id, False]),
                    ("company_id", "in", [self.id, False]),
                    ("time_type", "=", "leave"),
                    ("date_from", "<=", datetime.combine(date_to, time.max)),
                    ("date_to", ">=", datetime.combine(date_from, time.min)),
                ],
                ["date_from", "date_to"],
            )
        )
        holidays = set()
        for leave in leaves:
            start = pytz.utc.localize(leave.date_from).astimezone(timezone)
            end = pytz.utc.localize(leave.date_to).astimezone(timezone)
            day = start.date()
            while day <= end.date():
                noon = timezone.localize(datetime.combine(day, time(12)))
                if start <= noon <= end:
                    holidays.add(day)
                day += timedelta(days=1)
        working = {
            int(attendance.dayofweek)
            for attendance in calendar.attendance_ids
            if attendance.display_type != "line_section"
        }
        weekend = frozenset(set(range(7)) - working) if working else WEEKEND
        return frozenset(holidays), weekend

    def _collections_working_days_for(self, due_dates, as_of):
        """(holidays, weekend) covering ``due_dates`` and ``as_of``, with room
        for the longest grace period and a month more for a deadline pushed
        past a long holiday: the one working-day rule of the run, the late
        charges and the credit check."""
        dates = [day for day in due_dates if day] or [as_of]
        return self._collections_working_days(
            min(min(dates), as_of) - timedelta(days=1),
            max(max(dates), as_of) + timedelta(days=late_fees.MAX_GRACE_DAYS + 31),
        )

    @tools.ormcache("self.id", "as_of")
    def _collections_overdue_cutoff(self, as_of):
        """lib.receivable.last_overdue_due_date of this company on ``as_of``:
        read on every credit check, so cached (cleared when a calendar, its
        attendances or its time off change)."""
        self.ensure_one()
        for window in (40, 366):
            holidays, weekend = self._collections_working_days(as_of - timedelta(days=window), as_of)
            try:
                return receivable.last_overdue_due_date(as_of, holidays, weekend)
            except ValueError:
                continue
        return as_of - timedelta(days=367)

    def write(self, vals):
        if "resource_calendar_id" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # the overdue cutoff depends on the time off
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # the overdue cutoff depends on the working days
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
