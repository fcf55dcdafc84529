from odoo import models

# Reports whose letterhead is in the page body (see reports/collections_letter_report.xml)
BODY_LETTERHEAD_REPORTS = ("collections_followup.report_followup_letter",)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """No header and footer documents for the letters: their letterhead is in
        the body, and an unpatched wkhtmltopdf would only warn about them."""
        report = self._get_report(report_ref) if report_ref else self.browse()
        if report and report.report_name in BODY_LETTERHEAD_REPORTS:
            header = footer = None
        return super()._run_wkhtmltopdf(
            bodies,
            report_ref=report_ref,
            header=header,
            footer=footer,
            landscape=landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
