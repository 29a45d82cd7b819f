// What went wrong with a call, in a form the UI can act on: the API's stable
// `code` (or one of ours for failures that never reached it), the status, the
// request id to quote, and `Retry-After` when the API gave one. The message a
// person reads is chosen from the catalogue by `code` (see `describe`), never
// taken from the server's English `message`.

export interface Problem {
  /** HTTP status; 0 when the request never got an answer. */
  status: number;
  /** The API's `code`, or `network.unreachable` / `response.unreadable`. */
  code: string;
  requestId?: string;
  /** Seconds, from `Retry-After`. */
  retryAfter?: number;
}

export class ApiProblem extends Error implements Problem {
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  readonly retryAfter?: number;

  constructor(p: Problem) {
    super(`${p.status} ${p.code}`);
    this.name = 'ApiProblem';
    this.status = p.status;
    this.code = p.code;
    if (p.requestId !== undefined) this.requestId = p.requestId;
    if (p.retryAfter !== undefined) this.retryAfter = p.retryAfter;
  }
}

export const NETWORK_UNREACHABLE = 'network.unreachable';
export const RESPONSE_UNREADABLE = 'response.unreadable';

function isErrorBody(v: unknown): v is { code: string; request_id?: string } {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string';
}

/** The problem an error response describes. */
export function problemFromResponse(response: Response, body: unknown): ApiProblem {
  const retry = response.headers.get('Retry-After');
  const seconds = retry !== null && /^\d+$/.test(retry.trim()) ? Number(retry) : undefined;
  const requestId =
    (isErrorBody(body) ? body.request_id : undefined) ??
    response.headers.get('X-Request-Id') ??
    undefined;
  return new ApiProblem({
    status: response.status,
    code: isErrorBody(body) ? body.code : RESPONSE_UNREADABLE,
    ...(requestId ? { requestId } : {}),
    ...(seconds !== undefined ? { retryAfter: seconds } : {}),
  });
}

/** Any thrown value as a problem: fetch's TypeError means no answer came. */
export function toProblem(e: unknown): ApiProblem {
  if (e instanceof ApiProblem) return e;
  return new ApiProblem({ status: 0, code: NETWORK_UNREACHABLE });
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an
 * `ApiProblem`. Network failures become `network.unreachable`.
 *
 *     const me = await call(api.GET('/v1/me'));
 */
export async function call<T>(pending: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await pending;
  } catch (e) {
    throw toProblem(e);
  }
  if (!result.response.ok) throw problemFromResponse(result.response, result.error);
  return result.data as T;
}
