/** @odoo-module **/
// The collector's morning (run in pt_BR by tests/test_tours.py, which makes the
// data): open Collections, see who needs action, open a customer, log a call with
// a promise to pay, then process the contact waiting for review and print its
// letter. Steps use element names and data, never translated labels.

import { registry } from "@web/core/registry";
import { formatDate } from "@web/core/l10n/dates";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

function menu(xmlid) {
    return `[data-menu-xmlid="collections_followup.${xmlid}"]`;
}

registry.category("web_tour.tours").add("collections_collector_morning", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("collections_followup.collections_menu_root", "Open the Collections app"),
        {
            content: "Open the Follow-up menu",
            trigger: `.o_main_navbar ${menu("collections_menu_followup")}`,
            run: "click",
        },
        {
            content: "Overdue Customers",
            trigger: `.dropdown-item${menu("collections_partner_menu_overdue")}`,
            run: "click",
        },
        {
            content: "Refresh the worklist (an invoice fell due since the night's run)",
            trigger: ".o_list_view .o_control_panel_main_buttons button[name=action_refresh], .o_list_button_add ~ button[name=action_refresh], button[name=action_refresh]",
            run: "click",
        },
        {
            content: "The customer waiting for a collector is in the list",
            trigger: ".o_list_view .o_data_row:contains('Construtora Horizonte') td[name=status] .badge",
        },
        {
            content: "Open the customer to call",
            trigger: ".o_list_view .o_data_row:contains('Padaria Pão Quente') button[name=action_open_partner]",
            run: "click",
        },
        {
            content: "The Collections tab of the customer",
            trigger: ".o_form_view .o_notebook_headers a[name=collections]",
            run: "click",
        },
        {
            content: "Log a contact",
            trigger: ".o_form_view button[name=action_collections_log_contact]",
            run: "click",
        },
        {
            content: "The person who pays was reached",
            trigger: ".modal div[name=right_party_contact] input",
            run: "click",
        },
        {
            content: "Outcome: promise to pay",
            trigger: ".modal div[name=outcome] select",
            run: 'select "promise"',
        },
        {
            content: "Promised date: in a week",
            trigger: ".modal div[name=promise_date] input",
            run: `edit ${formatDate(DateTime.local().plus({ days: 7 }))} && press Enter`,
        },
        {
            content: "Promised amount",
            trigger: ".modal div[name=promise_amount] input",
            run: "edit 500 && click .modal-title",
        },
        {
            content: "What was said",
            trigger: ".modal div[name=note] textarea",
            run: "edit Pagará 500 na semana que vem",
        },
        {
            content: "The instalments the promise covers are listed",
            trigger: ".modal div[name=move_line_ids] .o_data_row",
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The contact is in the customer's history",
            trigger: "body:not(:has(.modal)) .o_form_view div[name=collections_action_ids] .o_data_row",
        },
        {
            content: "Open the Follow-up menu",
            trigger: `.o_main_navbar ${menu("collections_menu_followup")}`,
            run: "click",
        },
        {
            content: "To Process",
            trigger: `.dropdown-item${menu("collections_followup_action_menu_to_process")}`,
            run: "click",
        },
        {
            content: "The contact waiting for review",
            trigger: ".o_kanban_view .o_kanban_record:contains('Construtora Horizonte')",
            run: "click",
        },
        {
            content: "Process it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_process]",
            run: "click",
        },
        {
            content: "The review shows the customer and its claim",
            trigger: ".modal div[name=preview_html]:contains('Construtora Horizonte')",
        },
        {
            content: "Execute",
            trigger: ".modal button[name=action_execute]",
            run: "click",
        },
        {
            content: "The processed contact",
            trigger: "body:not(:has(.modal)) .o_list_view .o_data_row:contains('Construtora Horizonte') td[name=partner_id]",
            run: "click",
        },
        {
            content: "Its letter was printed: the Letter button opens it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_letter]",
        },
        {
            content: "Done, no more planned contact",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value=done]",
        },
    ],
});
