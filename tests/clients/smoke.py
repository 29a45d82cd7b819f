"""The reporting loop, end to end, through the Python client that
openapi-python-client generated from openapi/tipline.yaml.

Run by `scripts/test-clients smoke` against a tipline it started:

1. an anonymous reporter uploads a photo, submits a tip, keeps the receipt
   and follows the tip with it;
2. a citizen registers, uploads a photo and reports;
3. a moderator claims the citizen's tip and verifies it;
4. the citizen reads the notification.

Every answer goes through the generated client with
`raise_on_unexpected_status=True` and must be parsed by the generated
models. Three things are checked for each answer, and each failure names
the operation (the spec's operationId):

- the generated model parses it (an exception is a failure);
- the parsed model holds only values of the types it declares (the
  generated `str | Unset` field that received `null` parses silently, but
  breaks every caller that trusts the type);
- the raw JSON matches the response schema of the committed spec (every
  `null` where the spec does not say `nullable`, missing required
  properties, wrong types, values outside an enum), with the JSON path.

Properties the spec does not declare are listed as notes (they parse, into
`additional_properties`, but no generated client can see them).

The run goes on past a failed answer when it can (using the raw JSON), so
one run lists every problem; it stops at an answer it cannot use.
Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import io
import json
import re
import sys
import traceback
import types
import typing
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import attrs
from ruamel.yaml import YAML

from spec_walk import SchemaWalk, response_schema

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--base-url", required=True)
ARGS.add_argument("--client-dir", required=True, help="the folder holding the generated package")
ARGS.add_argument("--package", default="tipline_client")
ARGS.add_argument("--spec", required=True)
ARGS.add_argument("--fixture", required=True, help="a JPEG to upload")
ARGS.add_argument("--moderator", required=True, help="username of a moderator made with the CLI")
ARGS.add_argument("--password", required=True)


class Abort(Exception):
    """An answer the rest of the run cannot do without."""


class Smoke:
    def __init__(self, args: argparse.Namespace) -> None:
        sys.path.insert(0, args.client_dir)
        self.pkg = args.package
        self.client_mod = importlib.import_module(f"{self.pkg}.client")
        self.errors_mod = importlib.import_module(f"{self.pkg}.errors")
        self.types_mod = importlib.import_module(f"{self.pkg}.types")
        self.models = importlib.import_module(f"{self.pkg}.models")
        self.base_url = args.base_url
        self.spec = YAML(typ="safe").load(Path(args.spec).read_text())
        self.ops = {
            op["operationId"]: (path, method, op)
            for path, item in self.spec["paths"].items()
            for method, op in item.items()
        }
        self.fixture = Path(args.fixture).read_bytes()
        self.args = args
        self.failures: dict[str, list[str]] = defaultdict(list)
        self.notes: dict[str, list[str]] = defaultdict(list)
        self.calls: list[str] = []
        self._last: Any = None

    # -- clients -------------------------------------------------------------

    def _hook(self, response) -> None:
        response.read()
        self._last = response

    def client(self, token: str | None = None):
        hooks = {"event_hooks": {"response": [self._hook]}}
        if token is None:
            return self.client_mod.Client(base_url=self.base_url, raise_on_unexpected_status=True,
                                          httpx_args=hooks)
        return self.client_mod.AuthenticatedClient(base_url=self.base_url, token=token,
                                                   raise_on_unexpected_status=True, httpx_args=hooks)

    def api(self, operation_id: str):
        """The generated module of an operation (under any tag's folder), or
        None when the generator dropped it."""
        api_dir = Path(importlib.import_module(f"{self.pkg}.api").__file__).parent
        for found in sorted(api_dir.glob(f"*/{operation_id}.py")):
            return importlib.import_module(f"{self.pkg}.api.{found.parent.name}.{operation_id}")
        return None

    def model(self, name: str):
        return getattr(self.models, name, None)

    def fail(self, operation_id: str, message: str) -> None:
        if message not in self.failures[operation_id]:
            self.failures[operation_id].append(message)

    # -- one call --------------------------------------------------------------

    def call(self, operation_id: str, *args, client, expect: int, **kwargs):
        """Call an operation through its generated module; check the answer."""
        module = self.api(operation_id)
        if module is None:
            raise Abort(f"{operation_id} is not in the generated client")
        self.calls.append(operation_id)
        self._last = None
        parse_error = None
        parsed = None
        try:
            response = module.sync_detailed(*args, client=client, **kwargs)
            parsed = response.parsed
        except self.errors_mod.UnexpectedStatus as err:
            self.fail(operation_id, f"status {err.status_code} is not in the spec for this operation: "
                                    f"{err.content[:300]!r}")
            raise Abort(operation_id) from err
        except Exception as err:  # the generated model could not parse the answer
            if self._last is None:
                raise
            parse_error = err
        return self._check(operation_id, expect, parsed, parse_error)

    def call_raw(self, operation_id: str, method: str, url: str, *, client, expect: int,
                 model_name: str, **kwargs):
        """For an operation the generator dropped: send it by hand, parse the
        answer with the generated model of its response."""
        self.fail(operation_id, "not in the generated client (the generator dropped it); sent by hand, "
                                f"the answer parsed with the generated {model_name}")
        self.calls.append(operation_id)
        self._last = None
        client.get_httpx_client().request(method, url, **kwargs)
        parsed, parse_error = None, None
        status = self._last.status_code
        model = self.model(model_name if status < 400 else "ErrorBody")
        if model is None:
            self.fail(operation_id, f"no generated model {model_name}")
        else:
            try:
                parsed = model.from_dict(self._last.json())
            except Exception as err:
                parse_error = err
        return self._check(operation_id, expect, parsed, parse_error)

    def _check(self, operation_id: str, expect: int, parsed, parse_error):
        raw = self._last
        status = raw.status_code
        body = json.loads(raw.content) if raw.content else None
        if status != expect:
            self.fail(operation_id, f"status {status}, wanted {expect}: {raw.content[:300]!r}")
            raise Abort(operation_id)
        if parse_error is not None:
            self.fail(operation_id, f"the generated model failed to parse the {status} answer: "
                                    f"{type(parse_error).__name__}: {parse_error}{self.where(parse_error)}")
        path, method, op = self.ops[operation_id]
        schema = response_schema(op, status)
        problems: dict[str, str] = {}
        notes: list[str] = []
        if schema is not None:
            SchemaWalk(self.spec, problems, notes).check(schema, body, "$")
        if parsed is not None and parse_error is None:
            ModelWalk(self, problems).check(parsed, "$")
        for where, what in sorted({re.sub(r"\[\d+\]", "[*]", k): v for k, v in problems.items()}.items()):
            self.fail(operation_id, f"{status} {where}: {what}")
        print(f"  {'ok  ' if operation_id not in self.failures else 'FAIL'} {operation_id} ({status})")
        for note in notes:
            if note not in self.notes[operation_id]:
                self.notes[operation_id].append(note)
        if parse_error is not None or parsed is None:
            return to_namespace(body)
        return parsed

    def where(self, error: Exception) -> str:
        """The line of the generated code that gave up, e.g. `in models/me.py: unit_id = UUID(_unit_id)`."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            marker = f"/{self.pkg}/"
            if marker in frame.filename:
                return f" (in {frame.filename.split(marker, 1)[1]}: `{frame.line}`)"
        return ""

    # -- the loop --------------------------------------------------------------

    def upload(self, client):
        UploadMediaBody = self.model("UploadMediaBody")
        File = self.types_mod.File
        body = UploadMediaBody(file=File(payload=io.BytesIO(self.fixture), file_name="card.jpg",
                                         mime_type="image/jpeg"))
        return self.call("upload_media", client=client, body=body, expect=201)

    def submit_tip(self, client, media_id, phone: str):
        """POST /v1/tips through the generated client, or by hand while the
        generator drops it."""
        fields = {
            "category": "illicit_card_ads",
            "description": "Cards tucked under the wipers, the whole street",
            "location": {"lat": 31.2304, "lon": 121.4737, "accuracy_m": 15.0, "crs": "wgs84"},
            "address": "Nanjing Road East, by the metro exit",
            "contacts": [{"kind": "phone", "value": phone}, {"kind": "wechat", "value": "card_girl_88"}],
            "media_ids": [str(media_id)],
        }
        if self.api("submit_tip") is not None and self.model("NewTipRequest") is not None:
            body = self.model("NewTipRequest").from_dict(fields)
            return self.call("submit_tip", client=client, body=body, expect=201)
        return self.call_raw("submit_tip", "POST", "/v1/tips", client=client, expect=201,
                             model_name="SubmittedTip", json=fields)

    def run(self) -> None:
        a = self.args
        public = self.client()

        print("anonymous reporter: photo, tip, receipt")
        anon = self.call("anonymous_session", client=public, expect=201)
        reporter = self.client(anon.access_token)
        categories = self.call("list_categories", client=public, expect=200)
        if "illicit_card_ads" not in [c.code for c in categories]:
            self.fail("list_categories", "no `illicit_card_ads` category")
        photo = self.upload(reporter)
        submitted = self.submit_tip(reporter, photo.id, "13912345678")
        receipt = getattr(submitted, "receipt", None)
        if receipt is None or isinstance(receipt, self.types_mod.Unset):
            self.fail("submit_tip", "an anonymous tip came back without a receipt")
            raise Abort("no receipt")

        print("anonymous reporter: following the tip by its receipt")
        followed = self.call("get_receipt_tip", receipt.code, client=public,
                             x_receipt_secret=receipt.secret, expect=200)
        if str(followed.id) != str(submitted.tip.id):
            self.fail("get_receipt_tip", f"the receipt shows tip {followed.id}, not {submitted.tip.id}")
        self.call("list_receipt_messages", receipt.code, client=public,
                  x_receipt_secret=receipt.secret, expect=200)
        self.call("list_receipt_notifications", receipt.code, client=public,
                  x_receipt_secret=receipt.secret, expect=200)
        self.call("get_receipt_rewards", receipt.code, client=public,
                  x_receipt_secret=receipt.secret, expect=200)

        print("citizen: register and report")
        RegisterRequest = self.model("RegisterRequest")
        pair = self.call("register", client=public, expect=201,
                         body=RegisterRequest(phone="13800138000", password=a.password))
        citizen = self.client(pair.access_token)
        self.call("me", client=citizen, expect=200)
        photo = self.upload(citizen)
        mine = self.submit_tip(citizen, photo.id, "+86 139 1234 5678")
        if getattr(mine, "receipt", None) not in (None, self.types_mod.UNSET):
            self.fail("submit_tip", "a citizen's tip came back with a receipt")
        tip_id = mine.tip.id
        listed = self.call("list_my_tips", client=citizen, expect=200)
        if str(tip_id) not in [str(t.id) for t in listed.items]:
            self.fail("list_my_tips", "the citizen's new tip is not listed")
        self.call("get_my_tip", tip_id, client=citizen, expect=200)

        print("moderator: claim and verify the citizen's tip")
        LoginRequest = self.model("LoginRequest")
        staff = self.call("login", client=public, expect=200,
                          body=LoginRequest(login=a.moderator, password=a.password))
        moderator = self.client(staff.access_token)
        queue = self.call("moderation_queue", client=moderator, expect=200)
        if str(tip_id) not in [str(t.id) for t in queue.items]:
            self.fail("moderation_queue", "the citizen's tip is not in the queue")
        self.call("moderation_get_tip", tip_id, client=moderator, expect=200)
        claimed = self.call("claim_tip", tip_id, client=moderator, expect=200)
        VerifyRequest = self.model("VerifyRequest")
        verified = self.call("verify_tip", tip_id, client=moderator, expect=200,
                             body=VerifyRequest(version=claimed.version, lead_title="Card ring, Nanjing Road"))
        if str(verified.status) != "verified":
            self.fail("verify_tip", f"the tip is `{verified.status}` after verify")

        print("citizen: the notification")
        page = self.call("list_my_notifications", client=citizen, expect=200)
        if not [n for n in page.items if str(getattr(n, "tip_id", "")) == str(tip_id)]:
            self.fail("list_my_notifications", "no notification about the verified tip")
        after = self.call("get_my_tip", tip_id, client=citizen, expect=200)
        if str(after.status) != "verified":
            self.fail("get_my_tip", f"the citizen sees `{after.status}` after verify")
        self.call("get_my_rewards", client=citizen, expect=200)

    def report(self) -> int:
        print()
        if self.notes:
            print("notes (properties the spec does not declare; they parse, nothing can read them):")
            for op, notes in sorted(self.notes.items()):
                for note in notes:
                    print(f"  {op}: {note}")
        calls = len(set(self.calls))
        if not self.failures:
            print(f"smoke: {calls} operations called, every answer parsed and matched the spec")
            return 0
        total = sum(len(v) for v in self.failures.values())
        print(f"smoke: {total} failures in {len(self.failures)} of {calls} operations called:")
        for op, msgs in sorted(self.failures.items()):
            print(f"  {op}")
            for msg in msgs:
                print(f"    - {msg}")
        return 1


def to_namespace(value):
    """Raw JSON as attribute access, so the run can go on past a bad answer."""
    if isinstance(value, dict):
        return types.SimpleNamespace(**{k: to_namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [to_namespace(v) for v in value]
    return value


class ModelWalk:
    """A parsed generated model against its own type annotations."""

    def __init__(self, smoke: Smoke, problems: dict[str, str]) -> None:
        self.smoke, self.problems = smoke, problems
        self.namespace = {**vars(smoke.models), **vars(smoke.types_mod), "datetime": datetime,
                          "UUID": uuid.UUID, "Any": Any}

    def check(self, value, path: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.check(item, f"{path}[{i}]")
            return
        cls = type(value)
        if not attrs.has(cls):
            return
        module = sys.modules[cls.__module__]
        hints = typing.get_type_hints(cls, globalns={**vars(module), **self.namespace})
        for field in attrs.fields(cls):
            if field.name == "additional_properties":
                continue
            item = getattr(value, field.name)
            key = field.alias if field.alias and not field.alias.startswith("_") else field.name
            where = f"{path}.{key}"
            if not self.fits(item, hints.get(field.name, Any), where):
                said = f"the generated model holds {item!r}, its type is {typing_name(hints.get(field.name))}"
                self.problems[where] = f"{self.problems[where]}; {said}" if where in self.problems else said

    def fits(self, value, hint, where: str) -> bool:
        if hint is Any or hint is None and value is None:
            return True
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            return any(self.fits(value, h, where) for h in typing.get_args(hint))
        if hint is type(None):
            return value is None
        if origin is list:
            if not isinstance(value, list):
                return False
            (item_hint,) = typing.get_args(hint) or (Any,)
            for i, item in enumerate(value):  # items are reported one by one
                if not self.fits(item, item_hint, f"{where}[{i}]"):
                    self.problems.setdefault(f"{where}[{i}]", f"the generated model holds {item!r}, "
                                                               f"its type is {typing_name(item_hint)}")
            return True
        if origin is dict:
            return isinstance(value, dict)
        if hint is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if isinstance(hint, type):
            if not isinstance(value, hint):
                return False
            if attrs.has(hint):
                self.check(value, where)
            return True
        return True


def typing_name(hint) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(hint))


def main() -> int:
    smoke = Smoke(ARGS.parse_args())
    try:
        smoke.run()
    except Abort as stop:
        print(f"  stopped: {stop}")
        smoke.failures.setdefault("(run)", []).append(f"stopped early at {stop}")
    return smoke.report()


if __name__ == "__main__":
    sys.exit(main())
