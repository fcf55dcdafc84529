from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.mail.tests.common import mail_new_test_user


class CollectionsCommon(AccountTestInvoicingCommon):
    """Users of every role and a policy, built once per test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        company = cls.company_data["company"]
        # the credit-limit hold is opt-in per company: these tests exercise it
        company.collections_hold_on_limit = True
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.collector = mail_new_test_user(
            cls.env,
            login="cf_collector",
            groups="base.group_user,collections_followup.group_collections_user",
            **common,
        )
        cls.collections_manager = mail_new_test_user(
            cls.env,
            login="cf_manager",
            groups="base.group_user,collections_followup.group_collections_manager",
            **common,
        )
        cls.plain_user = mail_new_test_user(cls.env, login="cf_plain", groups="base.group_user", **common)
        cls.billing_user = mail_new_test_user(
            cls.env, login="cf_billing", groups="base.group_user,account.group_account_invoice", **common
        )
        cls.policy = cls.env["collections.policy"].create(
            {
                "name": "Test policy",
                "company_id": company.id,
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Call",
                            "days": 10,
                            "create_activity": True,
                            "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
                        },
                    ),
                ],
            }
        )
        company.collections_policy_id = cls.policy
