"""Errors that fail one file (recorded in raw.ingest_log), never the run."""


class FileError(Exception):
    """The file cannot be loaded; the message says why and, where possible, how to fix it."""


class Superseded(Exception):
    """A newer delivery of the same data is already loaded; this file adds nothing."""
