"""The study file: schema, migrations, transactions, undo log, and all SQL.

Nothing outside this package writes SQL. ``core`` holds the connection and the recorded
writes; the other modules hold the statements for one area each.
"""

from qualcode.store.core import Store

__all__ = ["Store"]
