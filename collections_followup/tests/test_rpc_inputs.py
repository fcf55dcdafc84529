import xmlrpc.client
from datetime import date

from odoo.tests import HttpCase, tagged

from .followup_common import FollowupCommon

CLEAN_FAULTS = (2, 3, 4)  # UserError/ValidationError, AccessDenied, AccessError: never a traceback (1)


@tagged("post_install", "-at_install")
class TestRpcInputs(FollowupCommon, HttpCase):
    """Bad inputs of the documented methods over real XML-RPC (issue 12): a
    clear error in the user's language, never a generic server error."""

    def _call(self, model, method, args, kwargs=None, login="admin"):
        common = xmlrpc.client.ServerProxy("%s/xmlrpc/2/common" % self.base_url())
        uid = common.authenticate(self.env.cr.dbname, login, login, {})
        self.assertTrue(uid, "logged in over XML-RPC")
        models = xmlrpc.client.ServerProxy("%s/xmlrpc/2/object" % self.base_url(), allow_none=True)
        return models.execute_kw(self.env.cr.dbname, uid, login, model, method, args, kwargs or {})

    def assertCleanFault(self, model, method, args, kwargs=None):
        with self.assertRaises(xmlrpc.client.Fault, msg="%s %s %s" % (method, args, kwargs)) as caught:
            self._call(model, method, args, kwargs)
        fault = caught.exception
        self.assertIn(
            fault.faultCode,
            CLEAN_FAULTS,
            "%s(%s, %s) gave a traceback:\n%s" % (method, args, kwargs, fault.faultString[-600:]),
        )
        self.assertNotIn("Traceback", fault.faultString)

    def test_bad_inputs_are_clean_errors_over_xmlrpc(self):
        invoice = self._invoice(self.customer, date(2025, 3, 3), 1000.0)
        self.env.ref("base.user_admin").company_ids |= self.company
        self.env.flush_all()  # the server's requests read the database, not this test's cache
        ok = self._call(
            "collections.policy",
            "run_followup",
            [],
            {"as_of": "2025-03-14", "simulate": True, "company_ids": self.company.ids},
        )
        self.assertEqual(ok["partners_contacted"], 1, "A good call answers: %s" % ok)
        for as_of in ("2026-02-30", 20261122, True, "0001-01-01", "9999-12-31", "2199-01-01"):
            self.assertCleanFault("collections.policy", "run_followup", [], {"as_of": as_of})
        self.assertCleanFault("collections.policy", "run_followup", [], {"company_ids": True})
        self.assertCleanFault("collections.policy", "run_followup", [], {"company_ids": [987654321]})
        partner = [self.customer.id]
        self.assertCleanFault("res.partner", "collections_log_contact", [partner, "teleport"])
        self.assertCleanFault(
            "res.partner", "collections_log_contact", [[self.customer.id, self.customer_b.id], "other"]
        )
        self.assertCleanFault("res.partner", "collections_log_contact", [[], "other"])
        for date_value in ("x", "2026-02-30"):
            self.assertCleanFault(
                "res.partner",
                "collections_log_contact",
                [partner, "promise"],
                {"promise_date": date_value, "promise_amount": 10.0},
            )
        for amount in ("abc", float("nan"), float("inf"), 1e308, -5):
            self.assertCleanFault(
                "res.partner",
                "collections_log_contact",
                [partner, "promise"],
                {"promise_date": date.today().isoformat(), "promise_amount": amount},
            )
        self.assertCleanFault(
            "res.partner",
            "collections_log_contact",
            [partner, "dispute"],
            {"dispute_move_id": "abc", "dispute_reason": "x"},
        )
        for amount in ("NaN", "Infinity", "abc", [1]):
            self.assertCleanFault(
                "res.partner", "collections_credit_hold_reasons", [partner], {"document_amount": amount}
            )
        for as_of in (20260211, ["2026-02-11"], "NaN"):
            self.assertCleanFault("account.move", "collections_late_charges", [invoice.ids], {"as_of": as_of})

    def test_errors_in_the_users_language_over_xmlrpc(self):
        lang = self.env["res.lang"]._lang_get("pt_BR")
        if not lang or not lang.active:
            self.env["res.lang"]._activate_lang("pt_BR")
            self.env["ir.module.module"].search([("name", "=", "collections_followup")])._update_translations(
                ["pt_BR"]
            )
        admin = self.env.ref("base.user_admin")
        admin.lang = "pt_BR"
        self.env.flush_all()
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self._call("collections.policy", "run_followup", [], {"as_of": "2026-02-30"})
        self.assertIn("não é uma data", caught.exception.faultString, "pt_BR without passing a context")
