// Starts the real binary for the browser tests: a fresh data directory
// (SQLite + local files), the port the config chose, and the accounts every
// test needs, made through the CLI (admin, moderators) and the API (a unit
// and its officer, a citizen). Returns the teardown that stops it.
//
// TIPLINE_BIN names the binary (default ../target/debug/tipline, from web/).
// The binary refuses unknown TIPLINE_* variables, so TIPLINE_BIN itself is
// not passed on.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullConfig } from '@playwright/test';
import { ACCOUNTS, RUN_DIR } from './accounts';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function binary(): string {
  const bin = resolve(webDir, process.env.TIPLINE_BIN ?? '../target/debug/tipline');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`no tipline binary at ${bin}: build it (cargo build) or set TIPLINE_BIN`);
  }
  return bin;
}

function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TIPLINE_BIN;
  return {
    ...env,
    TIPLINE_LOG_LEVEL: env.TIPLINE_LOG_LEVEL ?? 'warn',
    // Access tokens last 5 s and are refused the moment they expire, so
    // every test runs through renewals, and the two-tab test has several.
    TIPLINE_ACCESS_TOKEN_TTL_SECS: '5',
    TIPLINE_JWT_LEEWAY_SECS: '0',
    // Every test signs in from 127.0.0.1: only the per-account limit applies.
    TIPLINE_LOGIN_MAX_FAILURES_PER_ADDRESS: '10000',
  };
}

function createStaff(bin: string, dataDir: string, env: NodeJS.ProcessEnv, a: { username: string; password: string }, role: string) {
  const r = spawnSync(
    bin,
    ['--data-dir', dataDir, 'admin', 'create-user', '--username', a.username, '--role', role, '--password-stdin'],
    { input: a.password, env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`create-user ${a.username} failed (${r.status}): ${r.stderr}`);
}

async function api<T>(baseURL: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(baseURL + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function waitReady(baseURL: string, server: ChildProcess, log: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) break;
    try {
      const res = await fetch(`${baseURL}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let tail = '';
  try {
    tail = readFileSync(log, 'utf8').slice(-4000);
  } catch {
    /* no log */
  }
  throw new Error(`tipline did not become ready at ${baseURL}; its log:\n${tail}`);
}

export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]!.use.baseURL!;
  const port = new URL(baseURL).port;
  const bin = binary();
  const env = serverEnv();
  const dataDir = mkdtempSync(join(tmpdir(), 'tipline-e2e-'));
  mkdirSync(RUN_DIR, { recursive: true });

  // Staff accounts first, through the CLI, as an operator would.
  createStaff(bin, dataDir, env, ACCOUNTS.admin, 'admin');
  createStaff(bin, dataDir, env, ACCOUNTS.moderator, 'moderator');

  const log = join(RUN_DIR, 'server.log');
  const out = openSync(log, 'w');
  const server = spawn(bin, ['--data-dir', dataDir, 'serve', '--bind', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', out, out],
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitReady(baseURL, server, log);
    const admin = await api<{ access_token: string }>(baseURL, '/v1/auth/login', {
      login: ACCOUNTS.admin.username,
      password: ACCOUNTS.admin.password,
    });
    const unit = await api<{ id: string }>(
      baseURL,
      '/v1/admin/units',
      { name_zh: '稠城派出所', name_en: 'Choucheng Police Station', kind: 'police_station' },
      admin.access_token,
    );
    await api(
      baseURL,
      '/v1/admin/users',
      { username: ACCOUNTS.officer.username, password: ACCOUNTS.officer.password, role: 'unit_officer', unit_id: unit.id },
      admin.access_token,
    );
    await api(baseURL, '/v1/auth/register', { phone: ACCOUNTS.citizen.username, password: ACCOUNTS.citizen.password });
  } catch (e) {
    await stop();
    throw e;
  }

  return stop;
}
