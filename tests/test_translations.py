"""Every addon ships a template and a complete Brazilian Portuguese catalogue.

Runs without Odoo; whether the template matches the code is checked by the
Odoo part of ./dev.sh test, which exports it afresh.
"""

import pathlib
import re

import polib
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{\{.*?\}\}")


@pytest.mark.parametrize("addon", ADDONS)
def test_pt_br_is_complete(addon):
    i18n = ROOT / addon / "i18n"
    pot = polib.pofile(str(i18n / f"{addon}.pot"))
    po = polib.pofile(str(i18n / "pt_BR.po"))
    translated = {(e.msgctxt, e.msgid): e for e in po if e.translated() and not e.obsolete}
    missing = [e.msgid for e in pot if (e.msgctxt, e.msgid) not in translated]
    assert not missing, f"{len(missing)} untranslated in {addon}/i18n/pt_BR.po, e.g. {missing[:5]}"
    assert len(pot) > 0


@pytest.mark.parametrize("addon", ADDONS)
def test_pt_br_keeps_placeholders(addon):
    po = polib.pofile(str(ROOT / addon / "i18n" / "pt_BR.po"))
    broken = [
        e.msgid
        for e in po
        if e.translated() and sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert not broken, f"placeholders differ in {addon}/i18n/pt_BR.po: {broken[:5]}"
