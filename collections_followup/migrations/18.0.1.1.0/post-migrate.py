"""18.0.1.1.0: follow-up communications are stored on the action.

- The three follow-up e-mail templates now render a ``collections.followup.action``
  (its stored instalment lines) instead of a ``res.partner``: they are in a
  noupdate file, so they are reloaded here explicitly.
- Instalment lines of existing actions get the new stored columns from what
  they already stored: overdue when they were late on the action date, updated
  total = amount claimed (their charges were not stored), the document number.
- ``has_previous_notice`` of existing actions: an earlier written notice exists.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(
        env,
        "collections_followup",
        "data/mail_template_data.xml",
        {},
        mode="init",
        noupdate=True,
        kind="data",
    )
    cr.execute(
        """
        UPDATE collections_followup_action_line line
           SET overdue = COALESCE(line.overdue, line.days_late > 0),
               effective_due_date = COALESCE(line.effective_due_date, line.date_maturity),
               amount_updated = COALESCE(line.amount_updated, line.amount_residual),
               amount_charges = COALESCE(line.amount_charges, 0),
               move_name = COALESCE(line.move_name, (SELECT name FROM account_move WHERE id = line.move_id))
         WHERE line.overdue IS NULL
        """
    )
    _logger.info("collections_followup: %s stored follow-up lines completed", cr.rowcount)
    cr.execute(
        """
        UPDATE collections_followup_action action
           SET has_previous_notice = EXISTS(
                   SELECT 1 FROM collections_followup_action earlier
                    WHERE earlier.partner_id = action.partner_id
                      AND earlier.company_id = action.company_id
                      AND (earlier.email_state = 'done' OR earlier.letter_state = 'done')
                      AND (earlier.date, earlier.id) < (action.date, action.id))
         WHERE action.has_previous_notice IS NULL
        """
    )
