"""What the `estate` command says when its environment cannot work (issue 15).

Operational errors (configuration, data directory, database URL, connection, a file that is not a
database, a newer schema, a lock, a changed secret key) are the operator's to fix, so each is
answered with one sentence saying what is wrong, and the command exits non-zero. A traceback is
for a bug: anything not recognised here keeps it, and ``estate --debug`` shows it for all.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.engine import UnsupportedDatabase
from adapters.persistence.sqlalchemy.key_check import SecretKeyMismatch
from adapters.persistence.sqlalchemy.migrate import SchemaNotCurrent, SchemaTooNew
from adapters.persistence.sqlalchemy.personal_data import UndecryptableValue
from entrypoints.config import ConfigurationError
from estate_core.shared.errors import DomainError

_URL_EXAMPLE = "postgresql://user:password@host/estate or sqlite:////path/to/estate.db"


def explain(error: BaseException) -> str | None:
    """One sentence for an operational error, or None for anything else (a bug)."""
    if isinstance(error, ConfigurationError | SecretKeyMismatch | SchemaTooNew | SchemaNotCurrent):
        return str(error)
    if isinstance(error, UndecryptableValue):
        return str(SecretKeyMismatch())
    if isinstance(error, DomainError):
        return f"refused: {error}"
    if isinstance(error, UnsupportedDatabase | sa.exc.NoSuchModuleError):
        return f"ESTATE_DATABASE_URL names a database estate cannot use; give {_URL_EXAMPLE}"
    if isinstance(error, sa.exc.ArgumentError):
        return f"ESTATE_DATABASE_URL is not a database URL; give {_URL_EXAMPLE}"
    if isinstance(error, sa.exc.DBAPIError):
        return _database_error(error)
    if isinstance(error, OSError) and error.filename:
        return f"cannot use {error.filename}: {error.strerror}"
    return None


def _database_error(error: sa.exc.DBAPIError) -> str | None:
    """Reads the driver's own message only: the statement and its parameters stay out."""
    reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    lowered = reason.lower()
    if "database is locked" in lowered:
        return (
            "the database is locked by another writer (another estate command or service): "
            "try again when it has finished"
        )
    if "file is not a database" in lowered:
        return (
            "the database file is not an SQLite database: check ESTATE_DATA_DIR and "
            "ESTATE_DATABASE_URL"
        )
    if "unable to open database file" in lowered:
        return (
            "cannot open the SQLite database file: check that its directory exists and is writable"
        )
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return f"cannot use the database: {reason}"
    return None
