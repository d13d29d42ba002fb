"""The applications' exception."""


class AppError(ValueError):
    """Raised when a run cannot proceed: bad data, an output folder that is not ours, a bad checkpoint."""
