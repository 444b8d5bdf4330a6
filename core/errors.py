"""The exceptions Simili raises; each message names the file and what to do about it."""


class SimiliError(Exception):
    """Base of every error meant to be shown to a user as one line."""


class LibraryLockedError(SimiliError):
    """Another process is writing to the library."""


class LibraryError(SimiliError):
    """The library folder is missing, unreadable or from an unknown version."""


class NotAnImageError(SimiliError):
    """A file could not be read or decoded as a photo; `reason` is short and user-facing."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelError(SimiliError):
    """The embedding model is missing, corrupt or does not match its manifest."""


class PhotoNotInLibraryError(SimiliError):
    """A 'more like this' query named a file the library has not indexed."""


class CatalogDamagedError(LibraryError):
    """The catalogue file is damaged or missing; `simili repair` restores a backup."""


class DiskFullError(SimiliError):
    """No space left where the library is; finished work is kept."""

    def __init__(self, folder: object, needed_bytes: int) -> None:
        mb = max(1, -(-int(needed_bytes) // 1_000_000))
        super().__init__(
            f"disk full: the library at {folder} needs about {mb} MB free; free some space and "
            "run the command again (finished work is kept)"
        )
        self.needed_bytes = needed_bytes
