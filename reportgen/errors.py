"""The one exception type the command line turns into a readable message and a non-zero exit."""


class ReportgenError(Exception):
    """A problem the user can fix: bad input, missing data, an unreachable service.

    The message is shown to the user as it is, so it should say what went wrong, where
    (file, row, ticker) and what to do about it.
    """
