"""The raw JSON of an answer against the spec's schema (OpenAPI 3.0).

Stdlib only: used by smoke.py and fuzz_summary.py. Every problem comes with
its JSON path: `null` where the spec does not say `nullable`, required
properties that are absent, wrong types, values outside an enum, strings
that are not the date-time or uuid their format says.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any


def response_schema(operation: dict, status: int):
    """The schema of an operation's answer with this status, or None."""
    response = operation.get("responses", {}).get(str(status))
    if response is None or not response.get("content"):
        return None
    return next(iter(response["content"].values())).get("schema")


def wildcard(path: str) -> str:
    """`$.items[3].id` -> `$.items[*].id`, so one problem of every item is one line."""
    return re.sub(r"\[\d+\]", "[*]", path)


class SchemaWalk:
    """The raw JSON against the spec's schema (OpenAPI 3.0), every problem
    with its JSON path."""

    def __init__(self, spec: dict, problems: dict[str, str], notes: list[str]) -> None:
        self.spec, self.problems, self.notes = spec, problems, notes

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema

    def check(self, schema: dict, value, path: str, optional: bool = False) -> None:
        schema = self.resolve(schema)
        if value is None:
            if not schema.get("nullable") and not any(self.resolve(s).get("nullable")
                                                      for s in schema.get("allOf", [])):
                hint = " (optional: omit it)" if optional else ""
                self.problems[path] = f"null, not nullable in the spec{hint}"
            return
        for sub in schema.get("allOf", []):
            self.check(sub, value, path, optional)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                trial_problems: list[dict] = []
                for sub in schema[key]:
                    found: dict[str, str] = {}
                    SchemaWalk(self.spec, found, []).check(sub, value, path)
                    trial_problems.append(found)
                if all(trial_problems):
                    self.problems[path] = f"matches none of {key}"
        kind = schema.get("type")
        if "enum" in schema and value not in schema["enum"]:
            self.problems[path] = f"{value!r} is not one of {schema['enum']}"
        if kind == "object" or (kind is None and "properties" in schema):
            if not isinstance(value, dict):
                self.problems[path] = f"{type(value).__name__}, the spec says object"
                return
            props = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    self.problems[f"{path}.{name}"] = "required, but absent"
            extra = schema.get("additionalProperties")
            for name, item in value.items():
                if name in props:
                    self.check(props[name], item, f"{path}.{name}",
                               optional=name not in schema.get("required", []))
                elif isinstance(extra, dict):
                    self.check(extra, item, f"{path}.{name}")
                elif extra is False:
                    self.problems[f"{path}.{name}"] = "not in the spec (additionalProperties: false)"
                elif props:
                    note = f"{path}.{name} is not in the spec"
                    if note not in self.notes:
                        self.notes.append(note)
        elif kind == "array":
            if not isinstance(value, list):
                self.problems[path] = f"{type(value).__name__}, the spec says array"
                return
            for i, item in enumerate(value):
                self.check(schema.get("items", {}), item, f"{path}[{i}]")
        elif kind == "string":
            if not isinstance(value, str):
                self.problems[path] = f"{value!r}, the spec says string"
            elif schema.get("format") == "date-time":
                try:
                    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    self.problems[path] = f"{value!r} is not a date-time"
            elif schema.get("format") == "uuid":
                try:
                    uuid.UUID(value)
                except ValueError:
                    self.problems[path] = f"{value!r} is not a uuid"
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                self.problems[path] = f"{value!r}, the spec says integer"
        elif kind == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                self.problems[path] = f"{value!r}, the spec says number"
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.problems[path] = f"{value!r}, the spec says boolean"
