"""Shared by the Python client tests: the connector executable, the test broker, topics and messages.

Messages are produced with confluent-kafka (librdkafka), a client independent of the connector's kafkajs.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

HERE = Path(__file__).resolve().parent
APP_DIR = HERE.parents[1]
REPO_DIR = APP_DIR.parents[1]
EXECUTABLE = HERE / "source-kafka"
"""The built CLI (`apps/source-kafka/dist/main.js`) as one executable, as Airbyte's clients run connectors."""


@dataclass
class CliRun:
    args: list[str]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.split("\n") if line != ""]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def of_type(self, message_type: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message.get("type") == message_type]


def run_cli(*args: str | Path, timeout: float = 180) -> CliRun:
    """Runs one connector command to the end and keeps its raw output."""
    argv = [str(EXECUTABLE), *(str(arg) for arg in args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    return CliRun(argv, done.returncode, done.stdout, done.stderr)


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


@dataclass
class Kafka:
    """The shared test broker (leased in conftest.py) and the topics this session created on it."""

    connection: dict[str, Any]
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def bootstrap(self) -> str:
        return ",".join(self.connection["plaintext"]["brokers"])

    def topic_prefix(self, purpose: str) -> str:
        """Unique per session and purpose, so reruns and parallel runs never see each other's data."""
        return f"pyclients-{self.run_id}-{purpose}"

    def create_topics(self, purpose: str, count: int, partitions: int) -> list[str]:
        prefix = self.topic_prefix(purpose)
        names = [f"{prefix}-{index}" for index in range(count)]
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        futures = admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names],
            operation_timeout=30,
        )
        for future in futures.values():
            future.result(timeout=60)
        return names

    def wait_until_groups_work(self, deadline_seconds: float = 120) -> None:
        """Joins a consumer group once. On a broker that just started, the group coordinator is still
        loading `__consumer_offsets`; the connector's first group join would then fail after its few retries
        (a transient error a platform retries) and make these tests depend on how fast the broker starts."""
        (topic,) = self.create_topics("warm-up", count=1, partitions=1)
        consumer = Consumer(
            {"bootstrap.servers": self.bootstrap, "group.id": f"pyclients-{self.run_id}-warm-up"}
        )
        assigned: list[Any] = []
        consumer.subscribe([topic], on_assign=lambda _consumer, partitions: assigned.extend(partitions))
        try:
            end = time.monotonic() + deadline_seconds
            while not assigned and time.monotonic() < end:
                consumer.poll(0.5)
        finally:
            consumer.close()
        if not assigned:
            raise RuntimeError(
                f"The test broker's group coordinator did not answer within {deadline_seconds} s"
            )

    def produce(self, topic: str, messages: list[Message]) -> None:
        producer = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "enable.idempotence": True})
        failures: list[str] = []

        def on_delivery(error: Any, _message: Any) -> None:
            if error is not None:
                failures.append(str(error))

        for message in messages:
            producer.produce(
                topic,
                key=message.key,
                value=message.value,
                partition=message.partition,
                headers=message.headers,
                on_delivery=on_delivery,
            )
        remaining = producer.flush(60)
        assert remaining == 0 and not failures, f"produce to {topic} failed: {failures}"

    def config(self, purpose: str, **overrides: Any) -> dict[str, Any]:
        """A PLAINTEXT config subscribed to this session's topics of one purpose, read from the oldest offset."""
        return {
            "bootstrap_servers": self.bootstrap,
            "protocol": {"security_protocol": "PLAINTEXT"},
            "subscription": {
                "subscription_type": "subscribe",
                "topic_pattern": f"{self.topic_prefix(purpose)}-.*",
            },
            "start_position": {"position": "earliest"},
            **overrides,
        }


@dataclass(frozen=True)
class Message:
    key: bytes | None
    value: bytes | None
    partition: int = -1
    headers: list[tuple[str, bytes]] | None = None


def json_message(
    key: str, value: Any, partition: int, headers: list[tuple[str, bytes]] | None = None
) -> Message:
    return Message(key.encode(), json.dumps(value).encode(), partition, headers)


def lease_broker() -> tuple[Kafka, int]:
    """Starts or reuses the test broker the way a vitest run does: a lease for this pytest process.

    The broker a test run started stops when the last lease is released (or its holder died and
    `scripts/broker gc` ran); one a person started with `pnpm broker start` is never stopped.
    """
    holder = os.getpid()
    done = subprocess.run(
        ["bash", str(REPO_DIR / "scripts" / "broker"), "lease", str(holder)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_DIR,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Could not start the test broker:\n{done.stderr}")
    connection_path = Path(done.stdout.strip().splitlines()[-1])
    return Kafka(json.loads(connection_path.read_text())), holder


def release_broker(holder: int) -> None:
    subprocess.run(
        ["bash", str(REPO_DIR / "scripts" / "broker"), "release", str(holder)],
        capture_output=True,
        check=False,
        cwd=REPO_DIR,
    )
