import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per-run files: the server log, the signed-in states per role. Gitignored. */
export const RUN_DIR = join(dirname(fileURLToPath(import.meta.url)), '.run');

/** The accounts global-setup makes on the fresh database. */
export const ACCOUNTS = {
  admin: { username: 'admin1', password: 'admin-pass-e2e-1', role: 'admin' },
  moderator: { username: 'mod1', password: 'moderator-pass-e2e-1', role: 'moderator' },
  officer: { username: 'officer1', password: 'officer-pass-e2e-1', role: 'unit_officer' },
  /** A citizen signs in with a phone number. */
  citizen: { username: '13800138000', password: 'citizen-pass-e2e-1', role: 'citizen' },
} as const;

export type StaffRole = 'admin' | 'moderator' | 'officer';

export const stateFile = (role: StaffRole) => join(RUN_DIR, `${role}.json`);
