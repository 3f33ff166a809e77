"""Every stdout line of every command, parsed by Airbyte's official pydantic models of the protocol.

Two builds of the same generated models: `airbyte-protocol-models-pdv2` (pydantic 2, what PyAirbyte uses),
in strict mode here, and `airbyte-protocol-models` 0.18 (pydantic 1) in its own venv
(validate_protocol_v1.py). A line passes when it parses strictly, sets no field the protocol does not
declare, and dumps back to exactly what the connector wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from airbyte_protocol.models import (
    AirbyteCatalog,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
)
from pydantic import BaseModel, ValidationError

from support import HERE, CliRun, Kafka, Message, json_message, run_cli, write_json

PARTITIONS = 2


def undeclared_fields(value: Any, path: str) -> list[str]:
    """Fields a model accepted as extras (the protocol's models allow them) instead of declaring them."""
    found: list[str] = []
    # A model that declares no field (AirbyteStateBlob) stands for a free-form object: its keys are data.
    if isinstance(value, BaseModel) and type(value).model_fields:
        found.extend(f"{path}.{name}" for name in (value.model_extra or {}))
        for name in value.model_fields_set:
            if name in type(value).model_fields:
                found.extend(undeclared_fields(getattr(value, name), f"{path}.{name}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(undeclared_fields(item, f"{path}[{index}]"))
    return found


def strict_problems(line: str) -> list[str]:
    try:
        message = AirbyteMessage.model_validate_json(line, strict=True)
    except ValidationError as error:
        return [f"not an AirbyteMessage (strict): {error}"]
    problems = [f"field not in the protocol: {path}" for path in undeclared_fields(message, "$")]
    dumped = message.model_dump(mode="json", exclude_unset=True, by_alias=True)
    if dumped != json.loads(line):
        problems.append(f"changed by parsing: {json.dumps(dumped)[:2000]}")
    return problems


def v1_problems(lines: dict[str, str]) -> dict[str, list[str]]:
    """Runs validate_protocol_v1.py in the airbyte-protocol-models 0.18 venv over every line at once."""
    python = os.environ.get("SOURCE_KAFKA_PROTOCOL_V1_PYTHON")
    if not python:
        raise RuntimeError(
            "SOURCE_KAFKA_PROTOCOL_V1_PYTHON is not set: run the tests through scripts/python-clients, "
            "which makes the airbyte-protocol-models venv"
        )
    stdin = "".join(json.dumps({"id": key, "line": line}) + "\n" for key, line in lines.items())
    done = subprocess.run(
        [python, str(HERE / "validate_protocol_v1.py")],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(lines), done.stderr
    return {result["id"]: result["errors"] for result in results}


def configured_catalog(discover: CliRun, sync_mode: SyncMode) -> ConfiguredAirbyteCatalog:
    catalog = AirbyteCatalog.model_validate(discover.of_type("CATALOG")[0]["catalog"])
    return ConfiguredAirbyteCatalog(
        streams=[
            ConfiguredAirbyteStream(
                stream=stream,
                sync_mode=sync_mode,
                destination_sync_mode=DestinationSyncMode.append,
            )
            for stream in catalog.streams
        ]
    )


def pydantic_file(path: Path, model: BaseModel | list[BaseModel]) -> Path:
    """Written the way PyAirbyte and pydantic write them: `null` for every unset optional field."""
    if isinstance(model, list):
        path.write_text("[" + ",".join(item.model_dump_json() for item in model) + "]")
    else:
        path.write_text(model.model_dump_json())
    return path


@dataclass
class Runs:
    commands: dict[str, CliRun]
    strict: dict[str, list[list[str]]]
    v1: dict[str, list[list[str]]]
    produced: dict[str, list[Message]]


SCENARIOS = [
    "spec",
    "check",
    "check-invalid-config",
    "check-unreachable-broker",
    "discover",
    "discover-invalid-config",
    "read-full-refresh",
    "read-incremental",
    "read-incremental-from-state",
    "read-poison-message",
    "read-invalid-catalog",
    "read-invalid-config",
]


@pytest.fixture(scope="module")
def runs(kafka: Kafka, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Runs every command once, covering success and failure, and validates every stdout line."""
    files = tmp_path_factory.mktemp("protocol")
    topics = kafka.create_topics("protocol", count=2, partitions=PARTITIONS)
    produced: dict[str, list[Message]] = {}
    for topic_index, topic in enumerate(topics):
        messages = [
            json_message(
                f"k{index}", {"topic": topic_index, "index": index}, index % PARTITIONS, [("h", b"v")]
            )
            for index in range(6)
        ] + [Message(b"gone", None, partition=1)]
        kafka.produce(topic, messages)
        produced[topic] = messages
    (poison_topic,) = kafka.create_topics("poison", count=1, partitions=1)
    kafka.produce(
        poison_topic,
        [json_message("good", {"ok": True}, 0), Message(b"bad", b"{not json", partition=0)],
    )

    config = write_json(
        files / "config.json", kafka.config("protocol", record_layout={"include_headers": True})
    )
    invalid_config = write_json(
        files / "invalid.json",
        {
            "bootstrap_servers": kafka.bootstrap,
            "protocol": {"security_protocol": "PLAINTEXT"},
            "subscription": 7,
        },
    )
    unreachable = write_json(
        files / "unreachable.json",
        {**kafka.config("protocol"), "bootstrap_servers": "127.0.0.1:9", "request_timeout_ms": 3000},
    )
    poison_config = write_json(files / "poison.json", kafka.config("poison"))

    commands: dict[str, CliRun] = {}
    commands["spec"] = run_cli("spec")
    commands["check"] = run_cli("check", "--config", config)
    commands["check-invalid-config"] = run_cli("check", "--config", invalid_config)
    commands["check-unreachable-broker"] = run_cli("check", "--config", unreachable)
    commands["discover"] = run_cli("discover", "--config", config)
    commands["discover-invalid-config"] = run_cli("discover", "--config", invalid_config)

    full_refresh = pydantic_file(
        files / "full-refresh.json", configured_catalog(commands["discover"], SyncMode.full_refresh)
    )
    incremental = pydantic_file(
        files / "incremental.json", configured_catalog(commands["discover"], SyncMode.incremental)
    )
    commands["read-full-refresh"] = run_cli("read", "--config", config, "--catalog", full_refresh)
    commands["read-incremental"] = run_cli("read", "--config", config, "--catalog", incremental)

    # The state as a client keeps it: parsed into the models and written back with nulls.
    states = [
        AirbyteStateMessage.model_validate(message["state"])
        for message in commands["read-incremental"].of_type("STATE")
    ]
    more = {
        topic: [json_message(f"more{index}", {"more": index}, index % PARTITIONS) for index in range(3)]
        for topic in topics
    }
    for topic, messages in more.items():
        kafka.produce(topic, messages)
        produced[topic] = produced[topic] + messages
    state = pydantic_file(files / "state.json", states)
    commands["read-incremental-from-state"] = run_cli(
        "read", "--config", config, "--catalog", incremental, "--state", state
    )

    poison_discover = run_cli("discover", "--config", poison_config)
    poison_catalog = pydantic_file(
        files / "poison-catalog.json", configured_catalog(poison_discover, SyncMode.incremental)
    )
    commands["read-poison-message"] = run_cli("read", "--config", poison_config, "--catalog", poison_catalog)
    invalid_catalog = write_json(
        files / "invalid-catalog.json",
        {"streams": [{"stream": {"name": topics[0]}, "sync_mode": "INVALID"}]},
    )
    commands["read-invalid-catalog"] = run_cli("read", "--config", config, "--catalog", invalid_catalog)
    commands["read-invalid-config"] = run_cli("read", "--config", invalid_config, "--catalog", incremental)
    assert set(commands) == set(SCENARIOS)

    lines = {
        f"{name}#{index}": line for name, run in commands.items() for index, line in enumerate(run.lines)
    }
    v1 = v1_problems(lines)
    return Runs(
        commands=commands,
        strict={name: [strict_problems(line) for line in run.lines] for name, run in commands.items()},
        v1={
            name: [v1[f"{name}#{index}"] for index in range(len(run.lines))] for name, run in commands.items()
        },
        produced=produced,
    )


def describe(run: CliRun, problems: list[list[str]]) -> str:
    return "\n".join(
        f"line {index + 1}: {line[:300]}\n  " + "\n  ".join(found)
        for index, (line, found) in enumerate(zip(run.lines, problems))
        if found
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_stdout_line_is_a_strict_airbyte_message(runs: Runs, scenario: str) -> None:
    run = runs.commands[scenario]
    assert run.lines, f"{scenario} wrote nothing on stdout; stderr: {run.stderr[-2000:]}"
    problems = runs.strict[scenario]
    assert not any(problems), describe(run, problems)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_stdout_line_parses_with_airbyte_protocol_models_0_18(runs: Runs, scenario: str) -> None:
    run = runs.commands[scenario]
    assert run.lines
    problems = runs.v1[scenario]
    assert not any(problems), describe(run, problems)


def test_each_command_answers_as_the_protocol_says(runs: Runs) -> None:
    c = runs.commands
    assert [m["type"] for m in c["spec"].messages] == ["SPEC"]
    assert c["check"].of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    statuses = c["check-invalid-config"].of_type("CONNECTION_STATUS")
    assert [s["connectionStatus"]["status"] for s in statuses] == ["FAILED"]
    assert "subscription" in statuses[0]["connectionStatus"]["message"]
    assert c["check-invalid-config"].exit_code == 0, "a FAILED check is an answer, not a crash"
    # As the CDK's entrypoint answers `check`: FAILED for a configuration problem, or else a TRACE error
    # and a non-zero exit (`status: exception` in acceptance-test-config.yml). Never SUCCEEDED.
    unreachable = c["check-unreachable-broker"]
    statuses = [s["connectionStatus"] for s in unreachable.of_type("CONNECTION_STATUS")]
    errors = [m["trace"]["error"] for m in unreachable.of_type("TRACE") if m["trace"]["type"] == "ERROR"]
    if statuses:
        assert [s["status"] for s in statuses] == ["FAILED"] and unreachable.exit_code == 0
        reason = statuses[0]["message"]
    else:
        assert len(errors) == 1 and unreachable.exit_code != 0
        reason = errors[0]["message"]
    assert "127.0.0.1:9" in reason, "the message names the brokers that could not be reached"
    assert len(c["discover"].of_type("CATALOG")) == 1
    for name in ("discover-invalid-config", "read-invalid-config"):
        errors = [m["trace"]["error"] for m in c[name].of_type("TRACE") if m["trace"]["type"] == "ERROR"]
        assert [e["failure_type"] for e in errors] == ["config_error"], name
        assert "subscription" in errors[0]["message"], name
        assert c[name].exit_code != 0, name
    errors = [
        m["trace"]["error"]
        for m in c["read-invalid-catalog"].of_type("TRACE")
        if m["trace"]["type"] == "ERROR"
    ]
    assert len(errors) == 1 and c["read-invalid-catalog"].exit_code != 0


def records_by_stream(run: CliRun) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for message in run.of_type("RECORD"):
        found.setdefault(message["record"]["stream"], []).append(message["record"]["data"])
    return found


def test_records_round_trip_through_the_models_with_every_produced_message(runs: Runs) -> None:
    for run_name in ("read-full-refresh", "read-incremental"):
        run = runs.commands[run_name]
        records = records_by_stream(run)
        for topic, messages in runs.produced.items():
            first_sync = messages[:7]
            data = records[topic]
            assert sorted(r["_kafka_key"] for r in data) == sorted(m.key.decode() for m in first_sync), (
                run_name
            )
            for line in run.lines:
                message = AirbyteMessage.model_validate_json(line, strict=True)
                if message.record is not None:
                    assert message.record.data == json.loads(line)["record"]["data"]


def test_state_written_back_by_the_models_resumes_where_the_last_read_ended(runs: Runs) -> None:
    first = runs.commands["read-incremental"]
    states = first.of_type("STATE")
    assert states, "an incremental read ends with STATE"
    for message in states:
        parsed = AirbyteMessage.model_validate_json(json.dumps(message), strict=True)
        assert parsed.state is not None and parsed.state.stream is not None
    second = runs.commands["read-incremental-from-state"]
    assert second.exit_code == 0, second.stderr[-2000:]
    records = records_by_stream(second)
    for topic, messages in runs.produced.items():
        assert sorted(r["_kafka_key"] for r in records[topic]) == sorted(m.key.decode() for m in messages[7:])


def test_a_poison_message_ends_in_records_state_and_an_error_trace_naming_its_stream(runs: Runs) -> None:
    run = runs.commands["read-poison-message"]
    kinds = [m["type"] for m in run.messages if m["type"] in ("RECORD", "STATE")]
    assert kinds[0] == "RECORD" and "STATE" in kinds
    errors = [m["trace"] for m in run.of_type("TRACE") if m["trace"]["type"] == "ERROR"]
    assert len(errors) == 1
    stream = run.of_type("RECORD")[0]["record"]["stream"]
    assert errors[0]["error"].get("stream_descriptor") == {"name": stream}
    assert "{not json" not in run.stdout + run.stderr, "payload bytes never reach the output"
    assert run.exit_code != 0
