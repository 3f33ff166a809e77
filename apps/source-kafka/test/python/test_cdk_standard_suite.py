"""The Airbyte CDK's standard source tests (`airbyte_cdk.test.standard_tests.SourceTestSuiteBase`), unchanged,
with every connector command they run executed by the built CLI.

The suite runs a Python connector in-process through `airbyte_cdk.test.entrypoint_wrapper._run_command`,
after writing the config and catalog files its commands take. `_run_command` is swapped for the CDK's own
out-of-process runner (`airbyte_cdk.utils.docker.run_docker_airbyte_command`, the one its Docker image tests
use) pointed at the CLI with the same arguments, so the suite's file writing, parsing and assertions all
stay the CDK's. Scenarios come from apps/source-kafka/acceptance-test-config.yml. The suite's Docker image
tests (`image_tests` marker) are deselected by scripts/python-clients; test_cdk_checks.py applies their
checks to the CLI.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, ConnectorSpecification, Type
from airbyte_cdk.test import entrypoint_wrapper, standard_tests
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.utils.docker import run_docker_airbyte_command

from support import APP_DIR, EXECUTABLE, Kafka, json_message, run_cli, write_json


class SourceKafkaCli:
    """The connector the suite instantiates: the CLI. The suite only needs `spec` to recognise a connector."""

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        run = run_cli("spec")
        for line in run.lines:
            message = AirbyteMessageSerializer.load(orjson.loads(line))
            if message.type == Type.SPEC and message.spec is not None:
                return message.spec
        raise RuntimeError(f"`spec` wrote no SPEC message; stderr: {run.stderr[-2000:]}")


def run_through_cli(source: Any, args: list[str], *_: Any, **__: Any) -> EntrypointOutput:
    assert isinstance(source, SourceKafkaCli), f"the suite must run the CLI, not {type(source)}"
    return run_docker_airbyte_command([str(EXECUTABLE), *args], raise_if_errors=False)


@pytest.fixture(scope="module")
def scenario_config(kafka: Kafka) -> None:
    """secrets/config.json of acceptance-test-config.yml: this session's topics, each with messages."""
    topics = kafka.create_topics("cdk-suite", count=2, partitions=2)
    for topic_index, topic in enumerate(topics):
        kafka.produce(
            topic,
            [json_message(f"k{i}", {"topic": topic_index, "i": i}, i % 2, [("h", b"v")]) for i in range(5)],
        )
    secrets = APP_DIR / "secrets"
    secrets.mkdir(exist_ok=True)
    write_json(
        secrets / "config.json",
        kafka.config("cdk-suite", record_layout={"include_headers": True}),
    )


class TestSourceKafkaStandardSuite(standard_tests.SourceTestSuiteBase):
    connector = SourceKafkaCli

    @pytest.fixture(autouse=True)
    def _commands_run_the_cli(self, monkeypatch: pytest.MonkeyPatch, scenario_config: None) -> None:
        monkeypatch.setattr(entrypoint_wrapper, "_run_command", run_through_cli)

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return APP_DIR
