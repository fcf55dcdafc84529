{
    "name": "Collections Follow-up: Job Queue",
    "summary": "Run the nightly follow-up in parallel jobs on every Odoo worker (OCA queue_job)",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "collections_followup developers",
    "website": "https://github.com/collections-followup/collections_followup",
    "depends": ["collections_followup", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
