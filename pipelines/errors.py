"""Errors a user can act on: each carries one French message that says what to fix."""


class IngestError(Exception):
    """A file cannot be imported; `message` is shown to the user as is (French, no traceback,
    and no command-line option: the web page shows it too). `command_line` is what to do
    about it with `pilotage ingest` (an option, an answers file), added to the message there
    (`for_command_line`)."""

    def __init__(self, message: str, command_line: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.command_line = command_line

    @property
    def for_command_line(self) -> str:
        return f"{self.message}\n{self.command_line}" if self.command_line else self.message
