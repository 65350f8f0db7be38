"""Exceptions whose messages are written for the person running the workflow."""


class DataError(RuntimeError):
    """A data file is missing, corrupt, truncated or not in the expected layout.

    The message always names the file and says what to do about it.
    """


class MissingRawDataError(DataError):
    """Raw data that cannot be downloaded automatically has not been placed by the user."""


class RequestError(ValueError):
    """A configured request the data cannot satisfy; the message names the request."""


class ConfigError(ValueError):
    """A config value that is valid by the schema but cannot work on this machine or data."""
