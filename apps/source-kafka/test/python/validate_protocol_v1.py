"""Runs in the venv of `airbyte-protocol-models` 0.18 (pydantic 1); see requirements-protocol.txt.

Reads JSON lines on stdin, `{"id": ..., "line": "<one stdout line of the connector>"}`, and writes one JSON
line per input: `{"id": ..., "errors": [...]}`. Pydantic 1 has no strict mode, so strictness is checked
as what it means here: the line parses as an AirbyteMessage, nothing in it was coerced (the model dumps
back to exactly the input), and every field it sets is declared by the protocol (its models allow extras).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from airbyte_protocol.models import AirbyteMessage
from pydantic import BaseModel, ValidationError


def undeclared_fields(value: Any, path: str) -> list[str]:
    found: list[str] = []
    # A model that declares no field (AirbyteStateBlob) stands for a free-form object: its keys are data.
    if isinstance(value, BaseModel) and value.__fields__:
        declared = set(value.__fields__)
        for name in value.__fields_set__:
            if name not in declared:
                found.append(f"{path}.{name}")
        for name in value.__fields_set__ & declared:
            found.extend(undeclared_fields(getattr(value, name), f"{path}.{name}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(undeclared_fields(item, f"{path}[{index}]"))
    return found


def problems_of(line: str) -> list[str]:
    try:
        message = AirbyteMessage.parse_raw(line)
    except ValidationError as error:
        return [f"not an AirbyteMessage: {error}"]
    problems = [f"field not in the protocol: {path}" for path in undeclared_fields(message, "$")]
    dumped = json.loads(message.json(exclude_unset=True, by_alias=True))
    if dumped != json.loads(line):
        problems.append(f"changed by parsing (coerced or dropped): {json.dumps(dumped)[:2000]}")
    return problems


def main() -> None:
    for raw in sys.stdin:
        item = json.loads(raw)
        sys.stdout.write(json.dumps({"id": item["id"], "errors": problems_of(item["line"])}) + "\n")


if __name__ == "__main__":
    main()
