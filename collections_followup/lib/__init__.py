"""Pure business rules of collections_followup.

Nothing here imports Odoo: plain Python values in (dates, Decimals, tuples),
plain values out. The models gather the data, call these functions and write
the results; the rules are tested with plain pytest and hypothesis.
"""
