"""Helpers for the public methods called by scripts and over XML-RPC."""

import functools


def in_user_language(method):
    """Run ``method`` in the language of the calling user when the caller
    gave none: over XML-RPC the context is empty, and the error messages,
    amounts and dates of the result must still be in the user's language."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self.env.context.get("lang") and self.env.user.lang:
            self = self.with_context(lang=self.env.user.lang)
        return method(self, *args, **kwargs)

    return wrapper
