"""Files handed to the user's browser: an attachment and the action that
downloads it (letters, statements, XLSX exports)."""

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_action(attachment):
    """The client action that downloads ``attachment`` (one ir.attachment)."""
    return {
        "type": "ir.actions.act_url",
        "url": "/web/content/%s?download=true" % attachment.id,
        "target": "self",
    }


def download_file(env, name, content, mimetype, record=None):
    """Save ``content`` as an attachment named ``name`` (of ``record`` when
    given) and return the action that downloads it."""
    attachment = env["ir.attachment"].create(
        {
            "name": name,
            "raw": content,
            "mimetype": mimetype,
            "res_model": record._name if record else False,
            "res_id": record.id if record else 0,
        }
    )
    return download_action(attachment)
