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
