"""Helpers for work on 100,000 rows at once: ids to PostgreSQL as one
literal, and Python's cycle collector paused while the rows are built."""

import gc
from contextlib import contextmanager


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


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while a set-based step builds
    hundreds of thousands of small objects (rows, tuples, Decimals, dicts).

    The collector runs every few hundred allocations and, as the heap grows,
    walks every live object again: on the late charges of 100,000
    instalments that is about 0.5 s of 2 s, for no cycle to free (reference
    counting frees these objects). The previous state is restored on exit,
    also on error; nested uses are harmless.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
