import io
import logging
import re

import lxml.html

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config, split_every
from odoo.tools.pdf import PdfReader, PdfWriter, merge_pdf

from ..lib.pdf_text import parse_to_unicode, shown_text

_logger = logging.getLogger(__name__)

LETTER_REPORT = "collections_followup.collections_followup_letter_report"
# Letters rendered by one wkhtmltopdf call: big enough that the process
# start-up (about one second) is paid rarely, small enough to bound memory.
LETTER_BATCH_SIZE = 200
_LETTER_REFERENCE = re.compile(r"CFL\d{8}")
_WHITESPACE = re.compile(r"\s+")


class CollectionsFollowupActionLetters(models.Model):
    """Letters printed in batches: one wkhtmltopdf call renders many letters,
    the PDF is split per action (Odoo's split by outline), each part is
    attached to its action, and the parts are merged for printing."""

    _inherit = "collections.followup.action"

    @api.model
    def _collections_letters_as_html(self):
        """True when reports come out as HTML (tests without
        ``force_report_rendering``, as Odoo's ``_pre_render_qweb_pdf``)."""
        return bool(
            (config["test_enable"] or config["test_file"])
            and not self.env.context.get("force_report_rendering")
        )

    def _collections_letter_reference(self):
        """The reference printed on the letter ("CFL" and the action id, 8
        digits): the letter's number for the customer, and the mark by which
        a PDF of many letters is split per action."""
        self.ensure_one()
        return "CFL%08d" % self.id

    def _collections_render_letters(self, batch_size=LETTER_BATCH_SIZE):
        """Render the letter of every action in ``self``: {action id:
        (content bytes, 'pdf' or 'html')}.

        One wkhtmltopdf call per company and batch of ``batch_size`` letters:
        the letters are put in one HTML document, each starting on a new
        page, and the PDF is split where a page carries the reference of the
        next letter (``_collections_letter_reference``). Odoo's own split (one
        HTML file per record, split by outline) needs a wkhtmltopdf built on
        patched Qt; this one works with both. A batch that cannot be split
        (the reference is not found where expected) is rendered again letter
        by letter, so every action always gets its own letter."""
        report = self.env.ref(LETTER_REPORT).sudo()
        result = {}
        for company in self.company_id:
            actions = self.filtered(lambda action, company=company: action.company_id == company)
            company_report = report.with_company(company).with_context(debug=False)
            if self._collections_letters_as_html():
                for action in actions:
                    result[action.id] = company_report._render_qweb_pdf(report.report_name, action.ids)
                continue
            for batch in split_every(batch_size, actions.ids):
                batch = list(batch)
                parts = self._collections_letters_batch_pdf(company_report, batch)
                if parts is None:
                    if len(batch) > 1:
                        _logger.warning(
                            "A batch of %s letters could not be split: rendered one by one.", len(batch)
                        )
                    parts = {}
                    for action_id in batch:
                        parts.update(
                            self._collections_letters_batch_pdf(company_report, [action_id], split=False)
                        )
                result.update({action_id: (content, "pdf") for action_id, content in parts.items()})
        return result

    @api.model
    def _collections_letters_batch_pdf(self, report, action_ids, split=True):
        """{action id: PDF bytes} of the letters of ``action_ids`` rendered
        by one wkhtmltopdf call, or None when ``split`` and the PDF cannot be
        split per action."""
        html = report._render_qweb_html(report.report_name, action_ids)[0]
        bodies, _html_ids, header, footer, paperformat_args = report._prepare_html(
            html, report_model=self._name
        )
        document = lxml.html.fromstring(bodies[0])
        body = document.find("body")
        for other in bodies[1:]:
            page = lxml.html.Element("div", style="page-break-before: always;")
            page.extend(lxml.html.fromstring(other).find("body"))
            body.append(page)
        content = report._run_wkhtmltopdf(
            [lxml.html.tostring(document, encoding="unicode")],
            report_ref=report.report_name,
            header=header,
            footer=footer,
            landscape=self.env.context.get("landscape"),
            specific_paperformat_args=paperformat_args,
        )
        if not split:
            return {action_ids[0]: content}
        reader = PdfReader(io.BytesIO(content))
        expected = {
            self.browse(action_id)._collections_letter_reference(): action_id for action_id in action_ids
        }
        maps = {}  # font object id -> ToUnicode map, parsed once per PDF
        starts = []  # (first page, action id)
        for number, page in enumerate(reader.pages):
            text = _WHITESPACE.sub(
                "", shown_text(page.get_contents().get_data(), self._pdf_font_maps(page, maps))
            )
            found = [expected[ref] for ref in _LETTER_REFERENCE.findall(text) if ref in expected]
            if found and (not starts or starts[-1][1] != found[0]):
                starts.append((number, found[0]))
        if [action_id for _page, action_id in starts] != list(action_ids) or starts[0][0] != 0:
            return None
        result = {}
        for index, (first, action_id) in enumerate(starts):
            last = starts[index + 1][0] if index + 1 < len(starts) else len(reader.pages)
            writer = PdfWriter()
            for number in range(first, last):
                writer.add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            result[action_id] = stream.getvalue()
        return result

    @api.model
    def _pdf_font_maps(self, page, maps):
        """{font resource name: ToUnicode map} of the fonts of ``page``
        (a PyPDF2 page), cached in ``maps`` by font object."""
        result = {}
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for name, reference in fonts.items():
            key = getattr(reference, "idnum", None) or id(reference)
            if key not in maps:
                to_unicode = reference.get_object().get("/ToUnicode")
                maps[key] = (
                    parse_to_unicode(to_unicode.get_object().get_data()) if to_unicode is not None else {}
                )
            result[name.lstrip("/")] = maps[key]
        return result

    def _collections_attach_letters(self, rendered):
        """Attach the letters ``rendered`` ({action id: (content, type)}) to
        their actions and mark the letter channel done. Returns the
        attachments in the order of ``self``."""
        values = []
        for action in self:
            content, report_type = rendered[action.id]
            values.append(
                {
                    "name": _(
                        "Letter %(partner)s %(date)s.%(ext)s",
                        partner=action.partner_id.name,
                        date=action.date,
                        ext="pdf" if report_type == "pdf" else "html",
                    ),
                    "raw": content,
                    "res_model": self._name,
                    "res_id": action.id,
                    "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
                }
            )
        attachments = self.env["ir.attachment"].sudo().create(values)
        for action, attachment in zip(self, attachments, strict=False):
            action.write({"letter_attachment_id": attachment.id, "letter_state": "done"})
        return attachments

    def _collections_letters_pdf(self):
        """The letters of the actions in ``self`` as one PDF (bytes), in the
        order of ``self``. A letter already printed is reprinted from its
        stored PDF (what was sent); the others are rendered in batches and
        attached to their actions first. Raises UserError when an action is
        a logged contact or still to process (it has no letter to print)."""
        unprintable = self.filtered(
            lambda action: action.kind == "contact" or action.state in ("planned", "cancelled")
        )
        if unprintable:
            raise UserError(
                _(
                    "Only contacts made by the follow-up can be printed as letters; not: %(actions)s.",
                    actions=", ".join(unprintable.mapped("display_name")),
                )
            )
        actions = self.sudo()
        to_render = actions.filtered(
            lambda action: (
                not action.letter_attachment_id or action.letter_attachment_id.mimetype != "application/pdf"
            )
        )
        if to_render:
            rendered = to_render._collections_render_letters()
            not_pdf = [action_id for action_id, (_content, kind) in rendered.items() if kind != "pdf"]
            if not_pdf:
                raise UserError(_("The letters cannot be merged: the PDF renderer is not available."))
            to_render._collections_attach_letters(rendered)
        return merge_pdf([action.letter_attachment_id.raw for action in actions])

    def action_print_letters(self):
        """Print the letters of the selected actions as one PDF (see
        ``_collections_letters_pdf``) and download it."""
        if not self:
            raise UserError(_("Select the follow-up actions whose letters to print."))
        content = self._collections_letters_pdf()
        return self._collections_download_letters(
            content, _("Letters %(date)s", date=fields.Date.context_today(self))
        )

    @api.model
    def _collections_download_letters(self, content, name):
        """An action downloading ``content`` (a merged PDF) saved as an attachment."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "%s.pdf" % name,
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": False,
                "res_id": 0,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % attachment.id,
            "target": "self",
        }


class CollectionsRunLetters(models.Model):
    _inherit = "collections.run"

    letter_action_count = fields.Integer(
        string="Letters to Print",
        compute="_compute_letter_action_count",
        help="Actions of this run that print a letter.",
    )

    def _letter_actions(self):
        """The actions of this run that have (or should have) a letter."""
        return self.action_ids.filtered(
            lambda action: (
                action.state in ("done", "failed")
                and action.kind != "contact"
                and (action.letter_state == "done" or action.level_id.send_letter)
            )
        )

    @api.depends("action_ids.letter_state", "action_ids.state")
    def _compute_letter_action_count(self):
        for run in self:
            run.letter_action_count = len(run._letter_actions())

    def action_print_letters(self):
        """Download the day's letters of this run as one PDF, one letter per
        action, in customer order. Raises UserError when the run has none."""
        self.ensure_one()
        actions = self._letter_actions().sorted(lambda action: (action.partner_id.name or "", action.id))
        if not actions:
            raise UserError(_("This run printed no letter."))
        content = actions._collections_letters_pdf()
        return actions._collections_download_letters(content, _("Letters %(run)s", run=self.name))
