// A failed save, placed where the administrator can fix it: the API's
// `code` (and, for a 400, the fields its message names: `body: $.name_zh:
// …; $.webhook.secret: …`) says which field; the words come from the
// catalogue by code, never from the server's English message. The form
// keeps what was typed.

import { ApiProblem, problemFromResponse, toProblem, type Problem } from '../../shared/api/problem';

/** A problem that also keeps the server's message, to find the field and position it names. */
export class DetailedProblem extends ApiProblem {
  readonly detail: string;
  constructor(p: Problem, detail: string) {
    super(p);
    this.detail = detail;
  }
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** `call()`, keeping the message for placing the problem. */
export async function callDetailed<T>(pending: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await pending;
  } catch (e) {
    throw toProblem(e);
  }
  if (!result.response.ok) {
    const p = problemFromResponse(result.response, result.error);
    const e = result.error as { message?: unknown } | undefined;
    throw new DetailedProblem(p, typeof e?.message === 'string' ? e.message : '');
  }
  return result.data as T;
}

/** The body fields a 400 `request.invalid` names, as dotted paths: `name_zh`, `webhook.secret`. */
export function invalidFields(detail: string): string[] {
  const out: string[] = [];
  for (const m of detail.matchAll(/\$\.([A-Za-z_][\w.]*?)(?:\[\d+\])*(?=[:[\s])/g)) {
    if (!out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** The field a 422 names in back-quotes: "`label_zh` must not be blank". */
export function quotedField(detail: string): string | undefined {
  return /`([a-z_]+)`/.exec(detail)?.[1];
}

export interface Issue {
  /** A catalogue key; looked up at run time (codes are data). */
  key: string;
  params?: Record<string, string | number>;
  /** The code it came from, for the fallback message. */
  code?: string;
}

export type Issues<F extends string> = Partial<Record<F, Issue>>;

export interface Placing<F extends string> {
  /** The form's fields, in the order they are shown. */
  fields: readonly F[];
  /** Body paths that are not a field's own name: `webhook.secret` → `webhook_secret`. */
  paths?: Readonly<Record<string, F>>;
  /** Which field an error code is about; a function when the message decides. */
  codes?: Readonly<Record<string, F | ((detail: string) => F | undefined)>>;
}

export interface Placed<F extends string> {
  issues: Issues<F>;
  /** What belongs to no field (or a problem of the call itself): shown above the form. */
  general?: Problem;
}

function isDetailed(p: unknown): p is DetailedProblem {
  return p instanceof DetailedProblem;
}

/** Where a failed save's problem goes. */
export function placeProblem<F extends string>(err: unknown, placing: Placing<F>): Placed<F> {
  const p = err instanceof ApiProblem ? err : toProblem(err);
  const detail = isDetailed(p) ? p.detail : '';
  const issues: Issues<F> = {};
  const known = (f: string): f is F => (placing.fields as readonly string[]).includes(f);
  if (p.code === 'request.invalid') {
    for (const path of invalidFields(detail)) {
      const f = placing.paths?.[path] ?? path.split('.')[0]!;
      if (known(f) && !issues[f]) issues[f] = { key: `admin.invalid.${f}`, code: p.code };
    }
    return Object.keys(issues).length > 0 ? { issues } : { issues, general: p };
  }
  const rule = placing.codes?.[p.code];
  const f = typeof rule === 'function' ? rule(detail) : rule;
  if (f && known(f)) {
    issues[f] = { key: `error.${p.code}`, code: p.code };
    return { issues };
  }
  return { issues, general: p };
}
