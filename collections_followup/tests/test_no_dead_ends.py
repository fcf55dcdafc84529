from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged

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


@tagged("post_install", "-at_install")
class TestCustomerCreditLayout(TransactionCase):
    """The customer's Collections tab for each role: follow-up next to the
    exposure figures, the holds next to the hold checks, and no label left
    without its field (a label whose field the role cannot read shifts every
    figure below it into the wrong column)."""

    def _arch(self, groups):
        user = new_test_user(self.env, login="cf_layout_%d" % len(groups), groups=groups)
        views = self.env["res.partner"].with_user(user).get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_every_role_sees_balanced_groups_and_no_orphan_label(self):
        roles = {
            "manager": "base.group_user,account.group_account_invoice,"
            "collections_followup.group_collections_manager",
            "collector": "base.group_user,collections_followup.group_collections_user",
        }
        for role, groups in roles.items():
            with self.subTest(role=role):
                arch = self._arch(groups)
                status = arch.xpath("//group[@name='collections_status']")[0]
                self.assertEqual(
                    [group.get("name") for group in status.findall("group")],
                    ["collections_followup", "collections_credit_exposure"],
                )
                control = arch.xpath("//group[@name='collections_credit_control']")[0]
                self.assertEqual(
                    [group.get("name") for group in control.findall("group")],
                    ["collections_credit", "collections_credit_overrides"],
                )
                exposure = arch.xpath("//group[@name='collections_credit_exposure']")[0]
                fields = {field.get("name") for field in exposure.iter("field")}
                for label in exposure.iter("label"):
                    self.assertIn(label.get("for"), fields, "label without its field for the %s" % role)
                for row in exposure.xpath("./div[contains(@class, 'o_row')]"):
                    self.assertTrue(
                        list(row.iter("field")), "an empty row shifts the figures for the %s" % role
                    )
