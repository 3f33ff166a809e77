"""Session set-up for the Python client tests: PyAirbyte's folders, and the shared test broker."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# PyAirbyte reads these when it is first imported: its DuckDB cache, temp files and logs go to a folder of
# this session, it never calls home, and it never looks a connector up in the online registry.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="source-kafka-pyclients-"))
os.environ["AIRBYTE_PROJECT_DIR"] = str(_SESSION_DIR)
os.environ["AIRBYTE_CACHE_ROOT"] = str(_SESSION_DIR / "cache")
os.environ["AIRBYTE_TEMP_DIR"] = str(_SESSION_DIR / "tmp")
os.environ["AIRBYTE_LOGGING_ROOT"] = str(_SESSION_DIR / "logs")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
(_SESSION_DIR / "tmp").mkdir()

from support import EXECUTABLE, Kafka, lease_broker, release_broker  # noqa: E402

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]


def pytest_configure(config: pytest.Config) -> None:
    if not (EXECUTABLE.parent.parent.parent / "dist" / "main.js").exists():
        raise pytest.UsageError(
            "apps/source-kafka/dist/main.js is missing: build it with "
            "`pnpm turbo run build --filter=source-kafka...` (scripts/python-clients does)."
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


@pytest.fixture(scope="session")
def kafka() -> Iterator[Kafka]:
    broker, holder = lease_broker()
    try:
        broker.wait_until_groups_work()
        yield broker
    finally:
        release_broker(holder)
