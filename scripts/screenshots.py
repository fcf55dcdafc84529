"""Retake the README's screenshots (docs/screenshots/*.png) from a running demo.

    ./dev.sh demo                       # in one terminal: the demo on :8069
    .work/venv/bin/python scripts/screenshots.py [--url URL] [--db DB] [--out DIR]

Needs Playwright for Python (``pip install playwright``, no browser download)
and Debian's ``chromium``. Each role logs in with its demo user (admin,
cobrador, vendedor) and sees the screens in Portuguese (pt_BR); for the
duration of the run the admin's language is set to pt_BR, then put back.
A quotation of 16,000.00 for the customer on credit hold is made for the
salesperson's screen when the demo has none (reference "screenshots").
"""

import argparse
import http.cookiejar
import io
import json
import pathlib
import sys
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_BYTES = 300 * 1024
VIEWPORT = {"width": 1280, "height": 800}
USERS = {"admin": "admin", "cobrador": "cobrador", "vendedor": "vendedor"}


class Session:
    """A JSON-RPC session of one user (its cookie is handed to the browser)."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        result = self._post("/web/session/authenticate", {"db": db, "login": login, "password": password})
        if not result.get("uid"):
            raise SystemExit(f"cannot log in as {login} on {db}")
        self.uid = result["uid"]
        self.session_id = next(cookie.value for cookie in self.jar if cookie.name == "session_id")

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(self.url + path, body, {"Content-Type": "application/json"})
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if answer.get("error"):
            raise SystemExit(json.dumps(answer["error"], indent=1)[:2000])
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"]
        )
        return rows[0]["res_id"] if rows else False


def prepare(admin):
    """Ids of the records shown; the salesperson's quotation on hold is made when missing."""
    company = admin.ref("collections_followup.company_br_demo")
    policy = admin.ref("collections_followup.policy_br_demo")
    held = admin.call(
        "res.partner",
        "search",
        [("parent_id", "=", False), ("collections_followup_status", "=", "action")],
        limit=1,
    ) or admin.call(
        "res.partner",
        "search",
        [("parent_id", "=", False), ("collections_followup_status", "=", "overdue")],
        limit=1,
    )
    customer = admin.ref("collections_followup.partner_construtora_demo")
    orders = admin.call("sale.order", "search", [("client_order_ref", "=", "screenshots")], limit=1)
    if not orders:
        salesperson = admin.ref("collections_followup_sale.user_salesperson_demo")
        product = admin.ref("collections_followup.product_service_demo")
        order = admin.call(
            "sale.order",
            "create",
            {
                "partner_id": customer,
                "company_id": company,
                "user_id": salesperson,
                "client_order_ref": "screenshots",
                "order_line": [[0, 0, {"product_id": product, "product_uom_qty": 16, "price_unit": 1000.0}]],
            },
            context={"allowed_company_ids": [company]},
        )
        orders = [order]
    runs = admin.call("collections.run", "search", [("company_id", "=", company)], order="id desc", limit=1)
    return {
        "policy": policy,
        "customer": held[0] if held else customer,
        "held": customer,
        "order": orders[0],
        "run": runs[0] if runs else False,
    }


def shrink(path):
    """Keep a PNG under MAX_BYTES (fewer colours, then smaller) with Pillow."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    image = Image.open(path).convert("RGB")
    for colours in (256, 128, 64):
        buffer = io.BytesIO()
        image.quantize(colours).save(buffer, "PNG", optimize=True)
        if buffer.tell() <= MAX_BYTES:
            path.write_bytes(buffer.getvalue())
            return
    image.thumbnail((1024, 640))
    image.quantize(64).save(path, "PNG", optimize=True)


def shoot(browser, url, session, out, name, path, ready, click=None, after=None):
    context = browser.new_context(viewport=VIEWPORT, locale="pt-BR", timezone_id="America/Sao_Paulo")
    host = url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
    context.add_cookies([{"name": "session_id", "value": session.session_id, "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(url + path)
    page.wait_for_selector(ready, timeout=60000)
    if click:
        page.click(click)
        # the tab's content at the top of the screen, under the tab headers
        page.eval_on_selector(click, "el => el.closest('.o_notebook').scrollIntoView({block: 'start'})")
    if after:
        page.wait_for_selector(after, timeout=60000)
    # (no "networkidle": the bus keeps a request open) the data is in, images and fonts settle
    page.wait_for_selector(".o_loading_indicator", state="detached", timeout=60000)
    page.wait_for_timeout(1500)
    target = out / f"{name}.png"
    page.screenshot(path=str(target))
    shrink(target)
    context.close()
    print(f"{target}: {target.stat().st_size // 1024} KB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="collections_demo")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = pathlib.Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    sessions = {login: Session(options.url, options.db, login, password) for login, password in USERS.items()}
    admin = sessions["admin"]
    ids = prepare(admin)
    admin_lang = admin.call("res.users", "read", [admin.uid], ["lang"])[0]["lang"]
    admin.call("res.users", "write", [admin.uid], {"lang": "pt_BR"})
    action = "/odoo/action-collections_followup."
    form = ".o_form_view .o_form_sheet"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=options.chromium, args=["--no-sandbox"])
            shots = [
                # the accountant (admin) configures the policies
                ("admin", "accountant_policy", f"{action}collections_policy_action/{ids['policy']}", form),
                # the collector's morning: the customers to chase, today's contacts, a customer
                (
                    "cobrador",
                    "collector_overdue_customers",
                    f"{action}collections_partner_status_action",
                    ".o_list_view .o_data_row",
                ),
                (
                    "cobrador",
                    "collector_history",
                    f"{action}collections_followup_action_action",
                    ".o_list_view",
                ),
                (
                    "cobrador",
                    "collector_customer",
                    f"{action}collections_partner_action_overdue/{ids['customer']}",
                    form,
                    ".o_notebook_headers a[name=collections]",
                    "div[name=collections_action_ids]",
                ),
                # the salesperson's quotation of a customer on credit hold
                (
                    "vendedor",
                    "salesperson_quotation_on_hold",
                    f"/odoo/action-sale.action_quotations_with_onboarding/{ids['order']}",
                    "div[name=collections_credit_hold_banner]",
                ),
                # the manager: the daily runs and one run, the aging of the receivables
                ("admin", "manager_runs", f"{action}collections_run_action", ".o_list_view"),
                ("admin", "manager_aging", f"{action}collections_aging_line_action", ".o_pivot"),
            ]
            if ids["run"]:
                shots.append(("admin", "manager_run", f"{action}collections_run_action/{ids['run']}", form))
            # the customer's credit section as each role sees it
            for login in ("admin", "cobrador", "vendedor"):
                shots.append(
                    (
                        login,
                        f"credit_section_{login}",
                        f"/odoo/action-base.action_partner_form/{ids['held']}",
                        form,
                        ".o_notebook_headers a[name=collections]"
                        if login != "vendedor"
                        else ".o_notebook_headers a[name=sales_purchases]",
                        None,
                    )
                )
            for login, name, path, ready, *more in shots:
                shoot(browser, options.url, sessions[login], out, name, path, ready, *more)
            browser.close()
    finally:
        admin.call("res.users", "write", [admin.uid], {"lang": admin_lang})
    return 0


if __name__ == "__main__":
    sys.exit(main())
