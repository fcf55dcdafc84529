"""Translation upkeep without gettext tools.

merge_po.py POT PO        merge the template into the catalogue: new
                          strings are added untranslated, strings gone
                          from the code are dropped, translations kept.
merge_po.py --compare A B exit 1 when the two templates do not hold the
                          same messages (with their contexts).
"""

import sys

import polib


def _keys(catalogue):
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


def compare(fresh_path, committed_path):
    fresh, committed = _keys(polib.pofile(fresh_path)), _keys(polib.pofile(committed_path))
    for _ctxt, msgid in sorted(fresh - committed, key=str)[:20]:
        print("  missing from the committed .pot: %r" % msgid[:100])
    for _ctxt, msgid in sorted(committed - fresh, key=str)[:20]:
        print("  no longer in the code: %r" % msgid[:100])
    return 0 if fresh == committed else 1


def merge(pot_path, po_path):
    pot = polib.pofile(pot_path)
    try:
        po = polib.pofile(po_path)
    except OSError:
        po = polib.POFile()
        po.metadata = dict(pot.metadata, Language="pt_BR")
    po.merge(pot)
    # Odoo ignores obsolete entries; keeping them only hides what is stale.
    for entry in [e for e in po if e.obsolete]:
        po.remove(entry)
    po.metadata["Language"] = "pt_BR"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    po.save(po_path)
    missing = [e for e in po if not e.translated()]
    print("%s: %d messages, %d untranslated" % (po_path, len(po), len(missing)))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    sys.exit(merge(sys.argv[1], sys.argv[2]))
