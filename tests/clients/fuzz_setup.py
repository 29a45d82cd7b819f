"""Accounts and a little data for the schemathesis runs.

Run by `scripts/test-clients fuzz` against a fresh tipline whose staff
accounts `fuzz-admin` and `fuzz-moderator` were made with
`tipline admin create-user` (password in TIPLINE_FUZZ_PASSWORD).

It makes a unit and its officer, a citizen and an anonymous session, and
seeds what the list operations should show (so the fuzzer checks real items,
not empty pages): a citizen's tip and an anonymous one, each with a photo;
the citizen's tip verified into a lead that is forwarded to the unit.

This is test setup, not a client under test: it uses plain JSON (stdlib
only). The generated client is exercised by smoke.py.

Prints one `ROLE TOKEN` line per role on stdout, then `receipt CODE SECRET`
(the anonymous tip's); progress goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

BASE = sys.argv[1].rstrip("/")
PASSWORD = os.environ["TIPLINE_FUZZ_PASSWORD"]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "phone-gps.jpg"
# A square around central Shanghai, [lon, lat].
AREA = {
    "type": "Polygon",
    "coordinates": [[[121.3, 31.1], [121.7, 31.1], [121.7, 31.4], [121.3, 31.4], [121.3, 31.1]]],
}


def call(method: str, path: str, token: str | None = None, body=None, *, raw: bytes | None = None,
         content_type: str | None = None, expect: int | None = None):
    headers = {}
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, payload = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, payload = err.code, err.read()
    if expect is not None and status != expect:
        sys.exit(f"fuzz setup: {method} {path} answered {status}, wanted {expect}: {payload[:500]!r}")
    return json.loads(payload) if payload else None


def login(name: str) -> str:
    return call("POST", "/v1/auth/login", body={"login": name, "password": PASSWORD}, expect=200)["access_token"]


def upload(token: str) -> str:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"card.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + FIXTURE.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    media = call("POST", "/v1/media", token, raw=body,
                 content_type=f"multipart/form-data; boundary={boundary}", expect=201)
    return media["id"]


def tip(token: str, phone: str) -> dict:
    return call("POST", "/v1/tips", token, {
        "category": "illicit_card_ads",
        "description": "Cards under the wipers on the whole street",
        "location": {"lat": 31.2304, "lon": 121.4737, "accuracy_m": 12.0},
        "address": "Nanjing Road East",
        "contacts": [{"kind": "phone", "value": phone}, {"kind": "wechat", "value": "card_girl_88"}],
        "media_ids": [upload(token)],
    }, expect=201)


def main() -> None:
    admin = login("fuzz-admin")
    moderator = login("fuzz-moderator")

    unit = call("POST", "/v1/admin/units", admin, {
        "name_zh": "测试派出所", "name_en": "Test Police Station", "kind": "police_station",
        "jurisdiction": AREA, "categories": ["illicit_card_ads", "fraud"],
    }, expect=201)
    call("POST", "/v1/admin/users", admin, {
        "username": "fuzz-officer", "password": PASSWORD, "role": "unit_officer", "unit_id": unit["id"],
    }, expect=201)
    officer = login("fuzz-officer")

    citizen = call("POST", "/v1/auth/register", body={"phone": "13800138000", "password": PASSWORD},
                   expect=201)["access_token"]
    anonymous = call("POST", "/v1/auth/anonymous", expect=201)["access_token"]

    mine = tip(citizen, "13912345678")["tip"]
    receipt = tip(anonymous, "13912345678")["receipt"]
    print("fuzz setup: two tips submitted", file=sys.stderr)

    claimed = call("POST", f"/v1/moderation/tips/{mine['id']}/claim", moderator, expect=200)
    verified = call("POST", f"/v1/moderation/tips/{mine['id']}/verify", moderator,
                    {"version": claimed["version"], "lead_title": "Card ring, Nanjing Road"}, expect=200)
    lead_id = verified.get("lead_id") or (verified.get("lead") or {}).get("id")
    if lead_id:
        lead = call("GET", f"/v1/leads/{lead_id}", moderator, expect=200)
        call("POST", f"/v1/leads/{lead_id}/forward", moderator,
             {"version": lead["version"], "unit_id": unit["id"], "note": "Seeded by the fuzz setup"}, expect=200)
        print("fuzz setup: a lead forwarded to the unit", file=sys.stderr)
    else:
        print(f"fuzz setup: no lead id in the verify answer ({sorted(verified)}); not forwarded",
              file=sys.stderr)

    for role, token in [("anonymous", anonymous), ("citizen", citizen), ("unit_officer", officer),
                        ("moderator", moderator), ("admin", admin)]:
        print(role, token)
    print("receipt", receipt["code"], receipt["secret"])


if __name__ == "__main__":
    main()
