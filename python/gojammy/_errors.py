"""Exception classes raised by gojammy."""


class GojammyError(Exception):
    """An error reported by libgojammy, carrying the library's message."""


class GojammyValueError(GojammyError, ValueError):
    """A malformed definition, option, argument or array shape.

    It is both a :class:`GojammyError` and a :class:`ValueError`, so ``except ValueError`` catches
    bad input whether Python or the library detected it.
    """
