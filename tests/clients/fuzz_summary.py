"""A compact summary of one schemathesis run, from its NDJSON report.

Usage: fuzz_summary.py ROLE REPORT.ndjson SCHEMATHESIS_STATUS SECONDS SPEC.json

Prints each distinct failure once: the check, a short reason (with the
schema location, the mutated component or the error code the service
answered), the operations it was seen on and one example request (method,
path, query, body, the status and body it got).

schemathesis names only the first schema violation of an answer, so every
answer recorded in the report is also checked against the spec here
(spec_walk.py) and all of its problems are listed per operation, with the
JSON path: the complete list of what to fix in the answers. That list is
information; the verdict is schemathesis's.

Writes the same as JSON next to the report (ROLE.findings.json). Exit
status 1 when the run found any failure or errored, or schemathesis itself
exited non-zero.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from spec_walk import SchemaWalk, response_schema, wildcard

MAX_OPERATIONS = 6


def short(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reason(failure: dict, interaction: dict | None) -> str:
    """What went wrong, without the values, so one kind of failure groups
    across operations and examples."""
    message = failure.get("message") or ""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    title = failure.get("title") or ""
    text = f"{title}: {first}" if first and first not in title else title
    for line in lines:
        if line.startswith("Schema at "):  # response_schema_conformance
            text += f" ({line.removeprefix('Schema at ').rstrip(':')})"
        if line.startswith("Invalid component:"):  # negative_data_rejection
            text += f" ({line.removeprefix('Invalid component:').strip()})"
    if failure.get("code") in ("ST202", "ST201", "ST205") and interaction:  # what the service said
        response = interaction.get("response") or {}
        try:
            code = json.loads(decode(response.get("content"))).get("code")
        except (ValueError, AttributeError):
            code = None
        text += f" -> {response.get('status_code')}" + (f" {code}" if code else "")
    return short(text, 240)


def decode(body) -> str:
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return f"<{len(raw)} bytes>"
    return "" if body is None else str(body)


def example(case: dict, interaction: dict | None) -> str:
    value = case.get("value", case)
    parts = [value.get("method", "?"), value.get("path", "?")]
    path_params = value.get("path_parameters") or {}
    if path_params:
        parts.append(f"path={json.dumps(path_params, ensure_ascii=False)}")
    if value.get("query"):
        parts.append(f"query={json.dumps(value['query'], ensure_ascii=False)}")
    headers = {k: v for k, v in (value.get("headers") or {}).items() if k.lower() != "authorization"}
    if headers:
        parts.append(f"headers={json.dumps(headers, ensure_ascii=False)}")
    if "body" in value:
        parts.append(f"body={json.dumps(value['body'], ensure_ascii=False)}")
    if interaction and interaction.get("response"):
        response = interaction["response"]
        parts.append(f"-> {response.get('status_code')} {decode(response.get('content'))}")
    return short(" ".join(parts), 400)


def check_answer(spec: dict, case: dict, interaction: dict, answers: dict) -> None:
    """All of one answer's problems, by operation, status and JSON path."""
    method, path = (case.get("method") or "").lower(), case.get("path")
    operation = spec.get("paths", {}).get(path, {}).get(method)
    response = interaction.get("response") or {}
    if operation is None or not response.get("content"):
        return
    status = response.get("status_code")
    schema = response_schema(operation, status)
    if schema is None:
        return
    try:
        body = json.loads(decode(response["content"]))
    except ValueError:
        return
    problems: dict[str, str] = {}
    SchemaWalk(spec, problems, []).check(schema, body, "$")
    label = f"{operation.get('operationId', path)} ({method.upper()} {path})"
    for where, what in problems.items():
        answers[label].setdefault(f"{status} {wildcard(where)}", what)


def main() -> int:
    role, report, status, seconds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    spec = json.loads(Path(sys.argv[5]).read_text())
    # every problem of every recorded answer: (operation, status, path) -> what
    answers: dict[str, dict[str, str]] = defaultdict(dict)
    groups: dict[tuple[str, str], dict] = {}
    errors: list[str] = []
    per_operation: dict[str, set] = defaultdict(set)
    if not report.exists():
        print(f"--- {role}: no report ({report}); schemathesis exited {status} after {seconds}s")
        return 1
    for line in report.read_text().splitlines():
        event = json.loads(line)
        (kind, data), = event.items()
        if kind == "NonFatalError":
            errors.append(short(f"{data.get('label', '')}: {data.get('info', {}).get('message', data)}", 300))
        if kind == "FatalError":
            errors.append(short(f"fatal: {data.get('exception', data)}", 300))
        if kind != "ScenarioFinished":
            continue
        recorder = data.get("recorder") or {}
        for case_id, interaction in (recorder.get("interactions") or {}).items():
            case = ((recorder.get("cases") or {}).get(case_id) or {}).get("value") or {}
            check_answer(spec, case, interaction, answers)
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                operation = failure.get("operation") or recorder.get("label", "?")
                interaction = (recorder.get("interactions") or {}).get(case_id)
                key = (check["name"], reason(failure, interaction))
                group = groups.setdefault(key, {
                    "check": check["name"], "code": failure.get("code"), "reason": key[1],
                    "operations": set(), "example": None, "count": 0,
                })
                group["operations"].add(operation)
                group["count"] += 1
                per_operation[operation].add(check["name"])
                if group["example"] is None:
                    case = (recorder.get("cases") or {}).get(case_id) or {}
                    group["example"] = example(case, interaction)
                    group["message"] = failure.get("message")
    failed = bool(groups or errors or status != 0)
    verdict = "FAILED" if failed else "ok"
    print(f"\n--- {role}: {verdict} — {len(groups)} distinct failures on {len(per_operation)} operations, "
          f"{len(errors)} errors, {seconds}s (schemathesis exit {status})")
    schema_groups = [g for g in groups.values() if g["check"] == "response_schema_conformance"]
    for group in sorted(groups.values(), key=lambda g: (g["check"], g["reason"])):
        if group in schema_groups:
            continue
        ops = sorted(group["operations"])
        shown = ", ".join(ops[:MAX_OPERATIONS]) + (f", … ({len(ops)} in all)" if len(ops) > MAX_OPERATIONS else "")
        print(f"  {group['check']} [{group['code']}] {group['reason']}")
        print(f"      on: {shown}")
        print(f"      e.g. {short(group['example'], 300)}")
    if schema_groups:
        ops = sorted({op for g in schema_groups for op in g["operations"]})
        print(f"  response_schema_conformance [ST108] {len(schema_groups)} schema locations violated on "
              f"{len(ops)} operations: {', '.join(ops)}")
        for group in sorted(schema_groups, key=lambda g: g["reason"]):
            print(f"      {group['reason'].removeprefix('Response violates schema: ')}")
    for error in errors[:20]:
        print(f"  error: {error}")
    if answers:
        print(f"  every problem in the answers this run got ({sum(map(len, answers.values()))} "
              f"in {len(answers)} operations):")
        for operation, problems in sorted(answers.items()):
            print(f"    {operation}")
            for where, what in sorted(problems.items()):
                print(f"      {where}: {what}")
    findings = [{**g, "operations": sorted(g["operations"])} for g in groups.values()]
    report.with_name(f"{role}.findings.json").write_text(json.dumps(
        {"role": role, "status": status, "seconds": seconds, "failures": findings, "errors": errors,
         "answers": answers}, indent=1, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
