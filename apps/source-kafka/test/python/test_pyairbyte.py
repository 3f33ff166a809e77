"""PyAirbyte (PyPI `airbyte`) runs the built CLI as a local executable against the real broker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import airbyte as ab
from airbyte.caches.util import get_default_cache

from support import EXECUTABLE, Kafka, Message, json_message

PARTITIONS = 3

# docs/source-kafka.md, "Record layout", with `include_headers: true`.
RECORD_COLUMNS = {
    "value",
    "_kafka_key",
    "_kafka_topic",
    "_kafka_partition",
    "_kafka_offset",
    "_kafka_timestamp",
    "_kafka_timestamp_type",
    "_kafka_is_tombstone",
    "_kafka_headers",
}
# What PyAirbyte adds to every table of its cache.
PYAIRBYTE_COLUMNS = {"_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta"}


def batch(topic_index: int, number: int, count: int) -> list[Message]:
    """`count` JSON messages spread over the partitions; each one's key and value name its batch."""
    return [
        json_message(
            f"t{topic_index}-b{number}-{index}",
            {"batch": number, "index": index},
            partition=index % PARTITIONS,
            headers=[("batch", str(number).encode()), ("bin", b"\xff\x00")],
        )
        for index in range(count)
    ]


def table_rows(cache: Any, stream: str) -> list[dict[str, Any]]:
    """The rows of the stream's table, read back from the DuckDB file with SQL."""
    return cache.get_pandas_dataframe(stream).to_dict(orient="records")


def as_json(value: Any) -> Any:
    """DuckDB hands JSON columns back as text."""
    return json.loads(value) if isinstance(value, str) else value


def test_check_discover_and_three_incremental_reads_hold_every_message_exactly_once(
    kafka: Kafka, session_dir: Path
) -> None:
    topics = kafka.create_topics("pyairbyte", count=2, partitions=PARTITIONS)
    produced: dict[str, list[Message]] = {topic: [] for topic in topics}

    def produce(number: int, count: int) -> None:
        for topic_index, topic in enumerate(topics):
            messages = batch(topic_index, number, count)
            if number == 1 and topic_index == 0:
                messages.append(Message(b"deleted-key", None, partition=0))  # a tombstone
            kafka.produce(topic, messages)
            produced[topic].extend(messages)

    produce(1, 7)
    source = ab.get_source(
        "source-kafka",
        config=kafka.config("pyairbyte", record_layout={"include_headers": True}),
        local_executable=EXECUTABLE,
        install_if_missing=False,
    )
    source.check()
    assert sorted(source.get_available_streams()) == sorted(topics)
    source.select_all_streams()

    cache = get_default_cache()
    assert Path(cache.db_path).is_relative_to(session_dir), "the default DuckDB cache must be the test's"

    # Append, not merge on the primary key: a message delivered twice would show as two rows.
    first = source.read(write_strategy="append")
    assert first.processed_records == 7 + 1 + 7
    produce(2, 5)
    second = source.read(write_strategy="append")
    assert second.processed_records == 5 + 5, "the second read must continue from PyAirbyte's saved state"
    produce(3, 4)
    third = source.read(write_strategy="append")
    assert third.processed_records == 4 + 4

    for topic in topics:
        rows = table_rows(cache, topic)
        assert RECORD_COLUMNS | PYAIRBYTE_COLUMNS == set(rows[0].keys())
        assert len(rows) == len(produced[topic])
        positions = {(row["_kafka_partition"], row["_kafka_offset"]) for row in rows}
        assert len(positions) == len(rows), "every (partition, offset) exactly once"
        assert {row["_kafka_topic"] for row in rows} == {topic}

        by_key = {row["_kafka_key"]: row for row in rows}
        assert len(by_key) == len(rows)
        for message in produced[topic]:
            row = by_key[message.key.decode()]
            assert row["_kafka_partition"] == message.partition
            assert row["_kafka_timestamp_type"] == "CreateTime"
            if message.value is None:
                assert row["_kafka_is_tombstone"] is True
                assert as_json(row["value"]) is None
                continue
            assert row["_kafka_is_tombstone"] is False
            assert as_json(row["value"]) == json.loads(message.value)
            assert as_json(row["_kafka_headers"]) == [
                {"key": "batch", "value": message.headers[0][1].decode(), "encoding": "utf8"},
                {"key": "bin", "value": "/wA=", "encoding": "base64"},
            ]
        offsets_per_partition: dict[int, list[int]] = {}
        for row in rows:
            offsets_per_partition.setdefault(row["_kafka_partition"], []).append(row["_kafka_offset"])
        for offsets in offsets_per_partition.values():
            assert sorted(offsets) == list(range(len(offsets))), "no offset of a partition is missing"
