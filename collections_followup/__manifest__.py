{
    "name": "Collections Follow-up",
    "summary": "Credit control, dunning (régua de cobrança), late fees, payment plans "
    "and the collector's workspace",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "license": "LGPL-3",
    "author": "collections_followup developers",
    "website": "https://github.com/collections-followup/collections_followup",
    "depends": ["account", "mail", "resource"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/collections_security.xml",
        "security/ir.model.access.csv",
        "data/collections_policy_data.xml",
        "views/collections_policy_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/collections_menus.xml",
    ],
    "demo": [
        "demo/collections_demo.xml",
    ],
    "installable": True,
    "application": True,
}
