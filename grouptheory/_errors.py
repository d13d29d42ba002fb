"""The one exception family of the package."""


class GroupTheoryError(ValueError):
    """Raised for any invalid group declaration or impossible request.

    Messages name the source (file and key where the input came from a file), the bad value and
    the fix.
    """


def located(source: str | None, key: str, message: str) -> GroupTheoryError:
    """Build an error whose message starts with where the bad value came from.

    >>> str(located("c4.toml", "generators.r", "bad"))
    'c4.toml: generators.r: bad'
    """
    where = f"{source}: {key}" if source else key
    return GroupTheoryError(f"{where}: {message}")
