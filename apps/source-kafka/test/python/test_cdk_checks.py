"""The CDK's checks that its standard suite runs only inside a Docker image, or that need a Python source,
applied to the built CLI. Each test names the CDK function or test it mirrors; the checks are the CDK's own
functions, called on what the CLI wrote (run by the CDK's `run_docker_airbyte_command`, given the CLI as
the command instead of `docker run`).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConfiguredAirbyteStream,
    ConnectorSpecification,
    DestinationSyncMode,
    SyncMode,
)
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.models.outcome import ExpectedOutcome
from airbyte_cdk.test.standard_tests._assertions import assert_check_outcome, assert_config_matches_spec
from airbyte_cdk.test.standard_tests._catalog_checks import (
    CATALOG_CHECKS,
    check_additional_properties_not_false,
    find_catalog_problems,
    format_catalog_problems,
)
from airbyte_cdk.test.standard_tests._read_assertions import assert_read_records
from airbyte_cdk.test.standard_tests._spec_lint import (
    assert_no_secrets_in_output,
    assert_spec_is_valid,
    get_single_spec,
)
from airbyte_cdk.test.standard_tests.docker_base import get_discovered_streams
from airbyte_cdk.utils.docker import run_docker_airbyte_command

from support import EXECUTABLE, Kafka, json_message, write_json

CONNECTOR = "source-kafka"


def cli(*args: str | Path, raise_if_errors: bool = False) -> EntrypointOutput:
    return run_docker_airbyte_command(
        [str(EXECUTABLE), *(str(a) for a in args)], raise_if_errors=raise_if_errors
    )


@pytest.fixture(scope="module")
def spec() -> ConnectorSpecification:
    return get_single_spec(cli("spec", raise_if_errors=True), connector_name=CONNECTOR)


@pytest.fixture(scope="module")
def topics(kafka: Kafka) -> list[str]:
    names = kafka.create_topics("cdk-checks", count=2, partitions=2)
    for topic_index, topic in enumerate(names):
        kafka.produce(
            topic, [json_message(f"k{i}", {"t": topic_index, "i": i}, i % 2, [("h", b"v")]) for i in range(4)]
        )
    return names


@pytest.fixture(scope="module")
def config(kafka: Kafka, topics: list[str]) -> dict[str, Any]:
    return kafka.config("cdk-checks", record_layout={"include_headers": True})


def sasl_config(kafka: Kafka, password: str) -> dict[str, Any]:
    user = kafka.connection["saslPlaintext"]["users"]["scram512"]
    return {
        **kafka.config("cdk-checks"),
        "bootstrap_servers": ",".join(kafka.connection["saslPlaintext"]["brokers"]),
        "protocol": {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_jaas_config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{user["username"]}" password="{password}";'
            ),
        },
    }


def test_spec_mirrors_test_docker_image_build_and_spec(spec: ConnectorSpecification) -> None:
    """DockerConnectorTestSuite.test_docker_image_build_and_spec: one SPEC, and `assert_spec_is_valid`."""
    assert_spec_is_valid(spec, connector_name=CONNECTOR)


def test_spec_objects_never_set_additional_properties_false(spec: ConnectorSpecification) -> None:
    """The CDK's `check_additional_properties_not_false` applied to the connectionSpecification, as the
    Connector Acceptance Tests' `TestSpec.test_additional_properties_is_true` applied it to specs."""
    as_stream = AirbyteStream(
        name="connectionSpecification",
        json_schema=spec.connectionSpecification,
        supported_sync_modes=[SyncMode.full_refresh],
    )
    problems = check_additional_properties_not_false(AirbyteCatalog(streams=[as_stream]))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("valid", ExpectedOutcome.EXPECT_SUCCESS), ("wrong-password", ExpectedOutcome.EXPECT_EXCEPTION)],
)
def test_check_mirrors_test_docker_image_build_and_check(
    kafka: Kafka,
    topics: list[str],
    spec: ConnectorSpecification,
    tmp_path: Path,
    name: str,
    expected: ExpectedOutcome,
) -> None:
    """DockerConnectorTestSuite.test_docker_image_build_and_check: `assert_no_secrets_in_output` first, then
    `assert_check_outcome`, over SASL/SCRAM so the config holds a secret the output must never show."""
    password = kafka.connection["saslPlaintext"]["users"]["scram512"]["password"]
    config = sasl_config(kafka, password if name == "valid" else f"{password}-wrong")
    result = cli("check", "--config", write_json(tmp_path / "config.json", config))
    assert_no_secrets_in_output(result, spec=spec, config=config, verb="check", connector_name=CONNECTOR)
    if not expected.expect_exception():
        result.raise_if_errors()
    assert_check_outcome(check_result=result, expected_outcome=expected, connector_name=CONNECTOR)


def test_config_mirrors_test_docker_image_build_and_config_matches_spec(kafka: Kafka) -> None:
    """DockerConnectorTestSuite.test_docker_image_build_and_config_matches_spec: `assert_config_matches_spec`."""
    spec_result = cli("spec", raise_if_errors=True)
    for config in (kafka.config("cdk-checks"), sasl_config(kafka, "secret")):
        assert_config_matches_spec(
            config=config, spec_result=spec_result, connector_name=CONNECTOR, scenario_id="config"
        )


def discover(config: dict[str, Any], tmp_path: Path) -> EntrypointOutput:
    return cli("discover", "--config", write_json(tmp_path / "config.json", config), raise_if_errors=True)


def test_discover_mirrors_test_docker_image_build_and_discover_and_every_catalog_check(
    config: dict[str, Any], tmp_path: Path
) -> None:
    """DockerConnectorTestSuite.test_docker_image_build_and_discover (`get_discovered_streams`), plus every
    check of the CDK's CATALOG_CHECKS, the enforced and the not-yet-enforced ones alike."""
    result = discover(config, tmp_path)
    streams = get_discovered_streams(result, CONNECTOR)
    assert len(streams) == 2
    problems = find_catalog_problems(result.catalog.catalog, CATALOG_CHECKS)
    assert not problems, format_catalog_problems(problems)


def configured(streams: list[AirbyteStream], mode: SyncMode) -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(
        streams=[
            ConfiguredAirbyteStream(
                stream=s, sync_mode=mode, destination_sync_mode=DestinationSyncMode.append
            )
            for s in streams
        ]
    )


def test_read_mirrors_test_docker_image_build_and_read_with_assert_read_records(
    config: dict[str, Any], tmp_path: Path
) -> None:
    """DockerConnectorTestSuite.test_docker_image_build_and_read (catalog written with `asdict`, so with
    nulls), then `assert_read_records` as SourceTestSuiteBase.test_basic_read applies it: records from
    every stream, each valid against its stream's schema."""
    streams = get_discovered_streams(discover(config, tmp_path), CONNECTOR)
    catalog = configured(streams, SyncMode.full_refresh)
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_bytes(orjson.dumps(asdict(catalog)))
    result = cli(
        "read", "--config", tmp_path / "config.json", "--catalog", catalog_path, raise_if_errors=True
    )
    assert_read_records(
        records=result.records_iterator,
        configured_catalog=catalog,
        require_records_per_stream=True,
        validate_schema=True,
    )
    assert len(result.records) == 8


def test_incremental_state_mirrors_entrypoint_wrapper_read_with_state(
    kafka: Kafka, config: dict[str, Any], topics: list[str], tmp_path: Path
) -> None:
    """`airbyte_cdk.test.entrypoint_wrapper.read` writes the catalog with ConfiguredAirbyteCatalogSerializer
    and the state as a list of AirbyteStateMessageSerializer dumps; a read from the state that
    `EntrypointOutput.state_messages` returned reads only what came after it."""
    streams = get_discovered_streams(discover(config, tmp_path), CONNECTOR)
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_bytes(
        orjson.dumps(ConfiguredAirbyteCatalogSerializer.dump(configured(streams, SyncMode.incremental)))
    )
    first = cli("read", "--config", tmp_path / "config.json", "--catalog", catalog_path, raise_if_errors=True)
    assert len(first.records) == 8
    states: list[AirbyteStateMessage] = [m.state for m in first.state_messages if m.state is not None]
    assert {s.stream.stream_descriptor.name for s in states} == set(topics)

    for topic in topics:
        kafka.produce(topic, [json_message("after", {"after": True}, 1)])
    state_path = tmp_path / "state.json"
    state_path.write_text(
        "[" + ",".join(orjson.dumps(AirbyteStateMessageSerializer.dump(s)).decode() for s in states) + "]"
    )
    second = cli(
        "read",
        "--config",
        tmp_path / "config.json",
        "--catalog",
        catalog_path,
        "--state",
        state_path,
        raise_if_errors=True,
    )
    assert sorted((r.record.stream, r.record.data["_kafka_key"]) for r in second.records) == sorted(
        (topic, "after") for topic in topics
    )
    assert second.most_recent_state is not None
