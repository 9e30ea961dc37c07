from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from apps.audit.db import install_append_only, remove_append_only


@pytest.fixture
def triggers_dropped(db: None) -> Iterator[None]:
    """The append-only triggers removed for one test (and put back), as an intruder with DDL rights would."""
    remove_append_only(connection)
    try:
        yield
    finally:
        install_append_only(connection)
