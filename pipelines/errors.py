"""Errors a user can act on: each carries one French message that says what to fix."""


class IngestError(Exception):
    """A file cannot be imported; `message` is shown to the user as is (French, no traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
