from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestFoundation(CollectionsCommon):
    def test_groups_follow_accounting_roles(self):
        user_group = self.env.ref("collections_followup.group_collections_user")
        manager_group = self.env.ref("collections_followup.group_collections_manager")
        self.assertIn(user_group, self.billing_user.groups_id)
        self.assertNotIn(manager_group, self.billing_user.groups_id)
        self.assertIn(user_group, self.collections_manager.groups_id, "Manager implies User")
        adviser = self.env["res.users"].create(
            {
                "name": "Adviser",
                "login": "cf_adviser",
                "groups_id": [(6, 0, [self.env.ref("account.group_account_manager").id])],
            }
        )
        self.assertIn(manager_group, adviser.groups_id)

    def test_policy_access_by_role(self):
        self.assertEqual(self.policy.with_user(self.collector).name, "Test policy")
        with self.assertRaises(AccessError):
            self.policy.with_user(self.collector).write({"min_days_between_contacts": 1})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.plain_user).read(["name"])
        self.policy.with_user(self.collections_manager).write({"min_days_between_contacts": 7})
        self.assertEqual(self.policy.min_days_between_contacts, 7)

    def test_policy_is_company_bound(self):
        other = self.setup_other_company(name="Other Co")["company"]
        foreign = self.env["collections.policy"].create({"name": "Foreign", "company_id": other.id})
        visible = self.env["collections.policy"].with_user(self.collections_manager).search([])
        self.assertIn(self.policy, visible)
        self.assertNotIn(foreign, visible)

    def test_level_needs_an_action(self):
        with self.assertRaisesRegex(ValidationError, "does nothing"):
            self.env["collections.level"].create({"policy_id": self.policy.id, "name": "Empty", "days": 3})

    def test_level_email_needs_template(self):
        with self.assertRaisesRegex(ValidationError, "choose its template"):
            self.env["collections.level"].create(
                {"policy_id": self.policy.id, "name": "Mail", "days": 1, "send_email": True}
            )

    def test_level_days_distinct_in_policy(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["collections.level"].create(
                {"policy_id": self.policy.id, "name": "Same day", "days": 10, "send_letter": True}
            )

    def test_settings_set_default_policy(self):
        other_policy = self.env["collections.policy"].create(
            {"name": "Strict", "company_id": self.env.company.id}
        )
        settings = self.env["res.config.settings"].create({"collections_policy_id": other_policy.id})
        settings.execute()
        self.assertEqual(self.env.company.collections_policy_id, other_policy)
        self.assertTrue(other_policy.is_company_default)
        self.assertFalse(self.policy.is_company_default)
