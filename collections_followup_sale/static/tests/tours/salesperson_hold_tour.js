/** @odoo-module **/
// A salesperson (pt_BR) tries to confirm the quotation of a customer on credit
// hold: the form warns before (banner with the reasons), confirming is refused
// with the reasons. Data made by tests/test_tour_salesperson.py; the steps use
// element names and that data, never translated labels.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("collections_salesperson_hold", {
    // the Quotations list (the Sales app menu itself comes with sale_management)
    url: "/odoo/action-sale.action_quotations_with_onboarding",
    steps: () => [
        {
            content: "Open the quotation of the customer on hold",
            trigger: ".o_list_view .o_data_row:contains('Construtora Alicerce') td[name=partner_id]",
            run: "click",
        },
        {
            content: "The banner says it cannot be confirmed, with the reasons and the amounts in reais",
            trigger:
                ".o_form_view div[name=collections_credit_hold_banner]:contains('Cheque devolvido'):contains('R$')" +
                ":contains('16.000,00')",
        },
        {
            content: "Try to confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Refused, with the reasons",
            trigger: ".modal .o_error_dialog:contains('Cheque devolvido'):contains('16.000,00')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_error_dialog .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Still a quotation",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status .o_arrow_button_current[data-value=draft]",
        },
    ],
});
