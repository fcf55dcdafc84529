from lxml import etree

from odoo.tests import TransactionCase, tagged

# Records only the daily run, a wizard or a button make: their views offer no
# "New" button (it would open an empty form that cannot be saved sensibly).
MADE_BY_THE_APP = {
    "collections.followup.action": ("list", "kanban", "form"),  # To Process, My Follow-ups, History
    "collections.run": ("list", "form"),  # Runs
    "collections.promise": ("list", "form"),  # the contact wizard
    "collections.dispute": ("list", "form"),  # Dispute / End Dispute on the invoice
    "collections.charge": ("list", "form"),  # charge invoicing and waivers
    "collections.writeoff": ("list", "form"),  # the write-off wizard
    "collections.writeoff.line": ("list",),
}


@tagged("post_install", "-at_install")
class TestNoDeadEnds(TransactionCase):
    def _create_allowed(self, model, view_type, user):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        arch = etree.fromstring(views["views"][view_type]["arch"])
        value = arch.get("create")
        return value is None or value.strip().lower() not in ("0", "false")

    def test_views_of_records_made_by_the_app_have_no_create_button(self):
        manager = self.env.ref("base.user_admin")
        manager.groups_id |= self.env.ref("collections_followup.group_collections_manager")
        for model, view_types in MADE_BY_THE_APP.items():
            for view_type in view_types:
                with self.subTest(model=model, view_type=view_type):
                    self.assertFalse(self._create_allowed(model, view_type, manager))

    def test_the_worklist_actions_open_views_without_create(self):
        for xmlid in (
            "collections_followup.collections_followup_action_action_to_process",
            "collections_followup.collections_followup_action_action_mine",
            "collections_followup.collections_followup_action_action",
            "collections_followup.collections_run_action",
            "collections_followup.collections_promise_action",
            "collections_followup.collections_dispute_action",
        ):
            action = self.env.ref(xmlid)
            for view_type in action.view_mode.split(","):
                with self.subTest(action=xmlid, view_type=view_type):
                    self.assertFalse(self._create_allowed(action.res_model, view_type, self.env.user))
