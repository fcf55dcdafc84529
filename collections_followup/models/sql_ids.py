"""Passing many ids to PostgreSQL cheaply."""


class IdArray:
    """A list of ids as ONE ``int[]`` literal for psycopg2.

    psycopg2 adapts a Python list item by item (``ARRAY[1,2,...]``): for the
    100,000 instalments of a large run that costs about 0.09 s per query,
    against 0.02 s for a single literal. ``%d`` refuses anything that is not
    a number, so nothing but digits reaches the SQL text. Use it as
    ``WHERE id = ANY(%s)`` with ``IdArray(ids)`` as the parameter.
    """

    __slots__ = ("ids",)

    def __init__(self, ids):
        self.ids = ids

    def __conform__(self, protocol):
        return self

    def getquoted(self):
        return ("'{%s}'::int[]" % ",".join(map("%d".__mod__, self.ids))).encode()
