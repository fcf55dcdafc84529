{
    "name": "Collections Follow-up: Sales",
    "summary": "Credit control on quotations: available credit and holds before confirming, "
    "confirmation blocked on hold, manager release",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "collections_followup developers",
    "website": "https://github.com/collections-followup/collections_followup",
    "depends": ["collections_followup", "sale"],
    "data": [
        "views/sale_order_views.xml",
        "views/res_partner_views.xml",
        "views/sale_portal_templates.xml",
    ],
    "demo": ["demo/sale_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "collections_followup_sale/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "auto_install": True,
}
