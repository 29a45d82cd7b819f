// Names for the generated schema's types, so feature code reads
// `Me` rather than `components['schemas']['Me']`. Never copy a type from the
// spec by hand: regenerate (`npm run gen`) and let the compiler point at what
// changed.
import type { components, paths } from '../../api/schema';

export type { paths };
export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Role = Schemas['RoleName'];
export type TokenPair = Schemas['TokenPair'];
export type ErrorBody = Schemas['ErrorBody'];

/** Roles that may use the staff console. */
export const STAFF_ROLES: readonly Role[] = ['moderator', 'unit_officer', 'admin'];

export function isStaff(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
