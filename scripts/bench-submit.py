"""Tip submissions on PostgreSQL: the service over HTTP against PostgreSQL
running the same statements (run through scripts/bench-submit, which
installs wrk and builds the release binary).

1. The service: the release binary on a fresh database, behind a proxy
   header (X-Forwarded-For, one address of thousands per request), with the
   default rate limits. Anonymous reporters (16 photos each) upload tiny
   photos beforehand; wrk then submits tips, each with an Idempotency-Key
   as the reporter's app sends one, at 16 and at 64 connections.
2. The statements: one submission on a scratch database whose statements
   PostgreSQL logs (log_statement = all), read back from the server's log
   and turned into a pgbench script: the same SQL in the same order and
   transaction, literals as sent, and what each submission mints afresh
   (ids, reference, receipt, idempotency key, rate-limit keys, times) made
   per transaction, time-ordered like the service's UUIDv7 ids.
3. pgbench runs that script at the same concurrency against a copy of the
   service's database, once as the service issues it and once without the
   statements that write rows shared by all transactions (the per-state
   counts; the audit chain's head if a submission wrote it).

Prints tips/s, p50 and p99 for each, and the ratio of the service to
PostgreSQL without shared rows (the goal is at least 85%).
"""

import argparse
import concurrent.futures
import http.client
import json
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
# Photos per anonymous reporter: under the 20 tips an hour one may submit.
PER_REPORTER = 16
# Tips per client address, under the 100 an hour one may submit.
PER_ADDRESS = 90
# Tables whose rows every submission would write: left out of the second
# pgbench run. (The audit head is written by the sealer, not by a
# submission, since events are appended unsealed.)
SHARED_TABLES = ("tip_state_count_slots", "tip_status_counts", "audit_chain")

TIP_BODY = {
    "category": "illicit_card_ads",
    "description": "Cards on every windscreen in the car park",
    "location": {"lat": 39.9087, "lon": 116.3975, "accuracy_m": 12.0},
    "address": "Car park, Dongcheng",
    "contacts": [
        {"kind": "phone", "value": "138 0013 8000"},
        {"kind": "wechat", "value": "Lily_2024"},
    ],
}


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def tiny_png():
    """A 2x2 RGB PNG: the smallest photo the pipeline takes."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes([200] * 6) for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------
# PostgreSQL


class Pg:
    def __init__(self, admin_url):
        self.admin_url = admin_url

    def url(self, db):
        parts = urllib.parse.urlsplit(self.admin_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + db))

    def psql(self, sql, db=None):
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.url(db) if db else self.admin_url, "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def fresh(self, db):
        self.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{db}"')

    def drop(self, db):
        self.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# ---------------------------------------------------------------------------
# The service


class Service:
    def __init__(self, binary, db_url, env_extra, workdir):
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="data-", dir=workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_")}
        env.update(
            {
                "TIPLINE_DATABASE_URL": db_url,
                "TIPLINE_DATA_DIR": self.data,
                "TIPLINE_SIGNING_SECRET": SIGNING_SECRET,
                "TIPLINE_CLIENT_IP_HEADER": "X-Forwarded-For",
                "TIPLINE_LOG_LEVEL": "warn",
            }
        )
        env.update(env_extra)
        self.log_path = os.path.join(workdir, f"tipline-{self.port}.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"tipline exited at start; see {self.log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"tipline did not become ready; see {self.log_path}")

    def cpu_seconds(self):
        """User and system CPU time the service has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


class Client:
    """One keep-alive connection; one per worker thread."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def anonymous(self, address):
        status, body = self.call(
            "POST", "/v1/auth/anonymous", b"{}",
            {"Content-Type": "application/json", "X-Forwarded-For": address},
        )
        if status != 201:
            raise SystemExit(f"anonymous session: {status} {body[:300]!r}")
        return json.loads(body)["access_token"]

    def upload(self, token, address, photo):
        boundary = "bench-submit-" + uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
        ).encode() + photo + f"\r\n--{boundary}--\r\n".encode()
        status, answer = self.call(
            "POST", "/v1/media", body,
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Forwarded-For": address,
            },
        )
        if status != 201:
            raise SystemExit(f"upload: {status} {answer[:300]!r}")
        return json.loads(answer)["id"]

    def submit(self, token, address, media_id, key):
        body = dict(TIP_BODY, media_ids=[media_id])
        return self.call(
            "POST", "/v1/tips", json.dumps(body).encode(),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "X-Forwarded-For": address,
                "Idempotency-Key": key,
            },
        )


def upload_address(i):
    """Addresses the reporters upload from (10.64.0.0/10)."""
    return f"10.{64 + (i >> 16) % 64}.{(i >> 8) & 255}.{i & 255}"


def submit_address(i):
    """Addresses tips come from (172.16.0.0/12, then 100.64.0.0/10)."""
    if i < 1 << 20:
        return f"172.{16 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"
    i -= 1 << 20
    return f"100.{64 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"


def prepare_photos(port, count, first_reporter, workers):
    """Anonymous reporters and their photos, uploaded beforehand: a list of
    (token, media id), interleaved so consecutive tips come from different
    reporters."""
    photo = tiny_png()
    reporters = math.ceil(count / PER_REPORTER)
    local = threading.local()
    done = [0]
    lock = threading.Lock()

    def one(r):
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = Client(port)
        address = upload_address(first_reporter + r)
        token = client.anonymous(address)
        n = min(PER_REPORTER, count - r * PER_REPORTER)
        ids = [client.upload(token, address, photo) for _ in range(n)]
        with lock:
            done[0] += n
            if done[0] % 5000 < n:
                log(f"  uploaded {done[0]}/{count} photos")
        return token, ids

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        per_reporter = list(pool.map(one, range(reporters)))
    log(f"  {count} photos from {reporters} reporters in {time.time() - started:.1f} s")
    out = []
    for k in range(PER_REPORTER):
        for token, ids in per_reporter:
            if k < len(ids):
                out.append((token, ids[k]))
    return out


def write_requests(path, photos, first_address):
    addresses = max(4096, math.ceil(len(photos) / PER_ADDRESS))
    with open(path, "w") as f:
        for i, (token, media) in enumerate(photos):
            address = submit_address(first_address + i % addresses)
            f.write(f"{token}\t{media}\t{address}\t{uuid.uuid4()}\n")
    return addresses


def run_wrk(port, connections, seconds, requests_file, threads):
    out = subprocess.run(
        [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", os.path.join(HERE, "bench-submit.lua"),
            f"http://127.0.0.1:{port}", "--", requests_file, str(threads),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    result = json.loads(line[len("BENCH "):])
    result["rate"] = result["created"] / result["seconds"]
    return result


# ---------------------------------------------------------------------------
# The statements of one submission, from PostgreSQL's log

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) (\w+):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UNIQUE_TEXT = re.compile(r"^(?:[0-9a-f]{32,}|TL-\d{8}-[A-Z0-9]+|R-[A-Z0-9]+)$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?\+00$")


def read_log(path, offset, db):
    """The statements `db`'s sessions sent after `offset`: (sql, params)."""
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    entries = []  # [db, kind, message]
    for raw in text.split("\n"):
        m = LINE.match(raw)
        if m:
            entries.append([m.group(3), m.group(4), m.group(5)])
        elif entries and raw.startswith("\t"):
            entries[-1][2] += "\n" + raw[1:]
    statements = []
    for name, kind, message in entries:
        if name != db:
            continue
        if kind == "LOG":
            m = re.match(r"^(?:execute [^:]+|statement): (.*)$", message, re.S)
            if m:
                statements.append([m.group(1).strip(), {}])
        elif kind == "DETAIL" and message.startswith("parameters:") and statements:
            statements[-1][1] = {int(k): v for k, v in PARAM.findall(message)}
    return statements


def pgbench_script(statements, slots, addresses, leave_out_shared):
    """The statements as a pgbench script. Returns (script, left out)."""
    uuids, texts = {}, {}
    rate_keys = [0]
    left_out = []

    def expression(sql, number, value):
        if value == "NULL":
            return "NULL"
        inner = value[1:-1].replace("''", "'")
        if '"rate_counters"' in sql and number == 1:
            # The reporter's key, then the address's, as the service counts them.
            rate_keys[0] += 1
            var = "reporter" if rate_keys[0] % 2 == 1 else "address"
            return f"('bench-{var}-' || :{var}::text)"
        if '"tip_state_count_slots"' in sql and re.search(r'"slot" = \$' + str(number) + r"\b", sql):
            return ":slot::smallint"
        if UUID.match(inner):
            tag = uuids.setdefault(inner, len(uuids) + 1)
            # Time-ordered like the service's UUIDv7s: each kind of id grows
            # at its own place in its index, after every id of the service.
            return f"('ff{tag:06x}000070008000' || lpad(to_hex(:n::bigint), 12, '0'))::uuid"
        if UNIQUE_TEXT.match(inner):
            tag = texts.setdefault(inner, len(texts) + 1)
            return f"('b{tag}-' || :n::text)"
        if TIMESTAMP.match(inner):
            return "now()"
        return value

    lines = [
        "\\set k :k + 1",
        "\\set n :base + :k * :clients + :client_id",
        f"\\set slot random(0, {slots - 1})",
        f"\\set reporter :base + :client_id * 1000000 + :k / {PER_REPORTER}",
        f"\\set address random(1, {addresses})",
    ]
    for sql, params in statements:
        writes = re.match(r'^\s*(?:UPDATE|INSERT INTO|DELETE FROM)\s+"?(\w+)"?', sql, re.I)
        if leave_out_shared and writes and writes.group(1) in SHARED_TABLES:
            left_out.append(sql)
            continue

        def replace(m):
            number = int(m.group(1))
            return expression(sql, number, params[number])

        text = re.sub(r"\$(\d+)\b", replace, sql)
        if re.search(r"(?<!:):[A-Za-z_]", re.sub(r":(n|k|slot|reporter|address)\b", "", text)):
            raise SystemExit(f"a literal would read as a pgbench variable: {text[:200]}")
        lines.append(" ".join(text.split("\n")) + ";")
    return "\n".join(lines) + "\n", left_out, uuids


def capture(pg, binary, workdir, pg_log):
    """One submission's statements, as PostgreSQL logged them."""
    db = "tipline_bench_capture"
    pg.fresh(db)
    pg.psql(f"ALTER DATABASE \"{db}\" SET log_statement = 'all'")
    # Background work waits an hour: the window holds the submission only.
    quiet = {
        "TIPLINE_AUDIT_SEAL_MS": "3600000",
        "TIPLINE_WEBHOOK_POLL_MS": "3600000",
        "TIPLINE_DEADLINE_SWEEP_SECS": "3600",
        "TIPLINE_LIVE_POLL_MS": "3600000",
    }
    service = Service(binary, pg.url(db), quiet, workdir)
    try:
        client = Client(service.port)
        token = client.anonymous("10.0.0.1")
        media = client.upload(token, "10.0.0.1", tiny_png())
        time.sleep(1)
        offset = os.path.getsize(pg_log)
        status, body = client.submit(token, "10.0.0.2", media, str(uuid.uuid4()))
        if status != 201:
            raise SystemExit(f"capture: submit answered {status} {body[:300]!r}")
        time.sleep(1)
        statements = read_log(pg_log, offset, db)
    finally:
        service.stop()
        pg.drop(db)
    if not any(s.startswith("BEGIN") for s, _ in statements):
        raise SystemExit(f"no transaction in the statements read from {pg_log}: {statements}")
    return statements


def prepare_pgbench_media(pg, db, uuid_tag, ranges):
    """Photos for pgbench's submissions to attach: rows like the service's,
    with the ids the script computes, not yet in a tip."""
    columns = pg.psql(
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_name = 'media' AND table_schema = 'public'",
        db,
    ).split(",")
    select = []
    for column in columns:
        if column == "id":
            select.append(f"('ff{uuid_tag:06x}000070008000' || lpad(to_hex(g), 12, '0'))::uuid")
        elif column == "tip_id":
            select.append("NULL")
        else:
            select.append(f"m.{column}")
    for first, last in ranges:
        pg.psql(
            f"INSERT INTO media ({','.join(columns)}) SELECT {','.join(select)} "
            f"FROM (SELECT * FROM media WHERE status = 'stored' LIMIT 1) m, "
            f"generate_series({first}::bigint, {last}::bigint) g",
            db,
        )
    pg.psql("VACUUM ANALYZE media", db)


def run_pgbench(pg, db, script_path, clients, seconds, base, workdir):
    logdir = tempfile.mkdtemp(prefix="pgbench-", dir=workdir)
    out = subprocess.run(
        [
            "pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(seconds),
            "-D", "k=0", "-D", f"base={base}", "-D", f"clients={clients}",
            "-f", script_path, "-l", "--log-prefix", os.path.join(logdir, "tx"),
            pg.url(db),
        ],
        capture_output=True,
        text=True,
        cwd=logdir,
    )
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    latencies = []
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name)) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]))
    shutil.rmtree(logdir)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    latencies.sort()
    return {
        "rate": float(m.group(1)),
        "transactions": len(latencies),
        "failed": int(failed.group(1)) if failed else 0,
        "p50_ms": percentile(latencies, 50) / 1000,
        "p99_ms": percentile(latencies, 99) / 1000,
    }


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1)]


# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/tipline"))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--pg-log", default=os.environ.get("BENCH_PG_LOG"))
    parser.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS", "16,64"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "20")))
    parser.add_argument(
        "--most-per-second", type=int, default=int(os.environ.get("BENCH_MOST_PER_SECOND", "1200")),
        help="photos to upload per second of each run: more than the service can take",
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()

    pg_log = args.pg_log
    if not pg_log:
        logs = sorted(f for f in os.listdir("/var/log/postgresql") if f.endswith("-main.log"))
        if not logs:
            raise SystemExit("no PostgreSQL log in /var/log/postgresql; set BENCH_PG_LOG")
        pg_log = os.path.join("/var/log/postgresql", logs[-1])
    levels = [int(c) for c in args.connections.split(",")]
    pg = Pg(args.pg)
    workdir = tempfile.mkdtemp(prefix="bench-submit-")
    service_db, replay_db = "tipline_bench_submit", "tipline_bench_replay"
    key = subprocess.run([args.binary, "audit", "keygen"], check=True, capture_output=True, text=True)
    audit_key = re.search(r"TIPLINE_AUDIT_SIGNING_KEY=(\S+)", key.stdout).group(1)
    log(f"PostgreSQL {pg.psql('SHOW server_version')}, {os.cpu_count()} cores; "
        f"{args.seconds} s per run; work files in {workdir}")

    # 1. The service.
    pg.fresh(service_db)
    service = Service(args.binary, pg.url(service_db), {"TIPLINE_AUDIT_SIGNING_KEY": audit_key}, workdir)
    results = {}
    try:
        reporter, address = 0, 0
        for connections in levels:
            count = args.most_per_second * args.seconds
            log(f"service, {connections} connections: uploading {count} photos")
            photos = prepare_photos(service.port, count, reporter, workers=8)
            reporter += math.ceil(count / PER_REPORTER)
            path = os.path.join(workdir, f"requests-{connections}.tsv")
            addresses = write_requests(path, photos, address)
            address += addresses
            # Let the sealer catch up with the uploads' events first.
            time.sleep(2)
            log(f"service, {connections} connections: submitting for {args.seconds} s")
            before = int(pg.psql("SELECT count(*) FROM tips", service_db))
            cpu_before, load_before = service.cpu_seconds(), os.getloadavg()[0]
            result = run_wrk(service.port, connections, args.seconds, path, args.wrk_threads)
            result["cpu_ms_per_tip"] = (service.cpu_seconds() - cpu_before) * 1000 / max(1, result["created"])
            result["load"] = max(load_before, os.getloadavg()[0])
            stored = int(pg.psql("SELECT count(*) FROM tips", service_db)) - before
            # More in the database is expected: requests in flight when wrk stops.
            if stored < result["created"]:
                log(f"  warning: wrk counted {result['created']} tips created, the database holds {stored} more")
            if result["other"]:
                log("  warning: answers other than 201 (out of photos? raise BENCH_MOST_PER_SECOND)")
            result["addresses"] = addresses
            results[("service", connections)] = result
            log(f"  {result['created']} tips, {result['rate']:.0f}/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, other answers {result['other']}, socket errors {result['errors']}; "
                f"the service used {result['cpu_ms_per_tip']:.2f} ms of CPU per tip; load average {result['load']:.1f}")
            if result["other"] or result["errors"]:
                log(f"  answers other than 201: {result['statuses']}")
    finally:
        service.stop()
    tips = pg.psql("SELECT count(*) FROM tips", service_db)
    counted = pg.psql("SELECT sum(count) FROM tip_state_count_slots", service_db)
    log(f"service database: {tips} tips; the per-state counts sum to {counted}")

    # 2. The statements of one submission.
    log("capturing one submission's statements from PostgreSQL's log")
    statements = capture(pg, args.binary, workdir, pg_log)
    slots = int(pg.psql("SELECT count(DISTINCT slot) FROM tip_state_count_slots", service_db) or 1)
    addresses = 4096
    as_issued, _, tags = pgbench_script(statements, slots, addresses, leave_out_shared=False)
    unshared, left_out, _ = pgbench_script(statements, slots, addresses, leave_out_shared=True)
    scripts = {}
    for name, text in (("as issued", as_issued), ("without shared rows", unshared)):
        scripts[name] = os.path.join(workdir, name.replace(" ", "-") + ".sql")
        with open(scripts[name], "w") as f:
            f.write(text)
    log(f"  {len(statements)} statements ({scripts['as issued']}); left out without shared rows:")
    for sql in left_out:
        log(f"    {sql[:120]}")
    # The photo is what the first read of media names.
    media_id = next(p for s, p in statements if s.startswith('SELECT "media"'))[1][1:-1]
    media_tag = tags[media_id]

    # 3. pgbench on a copy of the service's database.
    pg.drop(replay_db)
    pg.psql(f'CREATE DATABASE "{replay_db}" TEMPLATE "{service_db}"')
    runs = [(name, c) for c in levels for name in ("as issued", "without shared rows")]
    most = args.most_per_second * 3 * args.seconds
    ranges = []
    for i, (_, c) in enumerate(runs):
        base = (i + 1) * 10**9
        ranges.append((base, base + most + 2 * c))
    prepare_pgbench_media(pg, replay_db, media_tag, ranges)
    for i, (name, c) in enumerate(runs):
        log(f"pgbench {name}, {c} clients: {args.seconds} s")
        r = run_pgbench(pg, replay_db, scripts[name], c, args.seconds, (i + 1) * 10**9, workdir)
        if r["transactions"] * 1.0 > most:
            log("  warning: more transactions than photos prepared; raise BENCH_MOST_PER_SECOND")
        results[(name, c)] = r
        log(f"  {r['rate']:.0f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, failed {r['failed']}")
    print()
    print(f"Tip submissions on PostgreSQL {pg.psql('SHOW server_version')}, {os.cpu_count()} cores, "
          f"{args.seconds} s per run (service: tiny photos uploaded beforehand, "
          f"{PER_REPORTER} per anonymous reporter, X-Forwarded-For from thousands of addresses)")
    print()
    print(f"{'':28}{'conns':>6}{'tips/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for c in levels:
        for name in ("service", "as issued", "without shared rows"):
            r = results[(name, c)]
            label = "service (HTTP, wrk)" if name == "service" else f"pgbench, {name}"
            print(f"{label:28}{c:>6}{r['rate']:>10.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}")
    print()
    print("the service's own CPU per tip: " + ", ".join(
        f"{results[('service', c)]['cpu_ms_per_tip']:.2f} ms at {c}" for c in levels)
        + "; load average during the HTTP runs: " + ", ".join(
        f"{results[('service', c)]['load']:.1f}" for c in levels)
        + f" on {os.cpu_count()} cores (wrk, the service and PostgreSQL share them; pgbench's client is light)")
    print()
    for c in levels:
        s = results[("service", c)]["rate"]
        issued = results[("as issued", c)]["rate"]
        free = results[("without shared rows", c)]["rate"]
        ratio = s / free
        print(
            f"{c} connections: service / pgbench without shared rows = {ratio:.0%} (goal >= 85%: "
            f"{'met' if ratio >= 0.85 else f'{0.85 - ratio:.0%} short'}); service / pgbench as issued = "
            f"{s / issued:.0%}; as issued / without shared rows = {issued / free:.0%}"
        )
    sys.stdout.flush()
    if not args.keep:
        log(f"removing the databases and {workdir}")
        pg.drop(replay_db)
        pg.drop(service_db)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
