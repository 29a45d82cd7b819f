// One photo to `POST /v1/media`, with upload progress.
//
// XMLHttpRequest, not fetch, for this one call: fetch has no upload
// progress (a streaming request body would need HTTP/2 and `duplex`, and
// still says nothing of what the network took), and a reporter on a slow
// mobile network needs to see each photo move. Every other call goes
// through the typed client.

import { NETWORK_UNREACHABLE, RESPONSE_UNREADABLE, type Problem } from '../../shared/api/problem';
import type { Schemas } from '../../shared/api/types';

export type MediaView = Schemas['Photo'];

export type UploadOutcome = { ok: true; media: MediaView } | { ok: false; problem: Problem };

export interface UploadRequest {
  url: string;
  blob: Blob;
  name: string;
  idempotencyKey: string;
  token: string | null;
  /** 0..1 of the bytes sent. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** No progress for this long: give up (the retry carries the same key). */
  stallMs?: number;
}

function problemOf(xhr: XMLHttpRequest): Problem {
  let body: unknown = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    /* not JSON */
  }
  const b = body as { code?: unknown; request_id?: unknown } | null;
  const retry = xhr.getResponseHeader('Retry-After');
  const requestId = (typeof b?.request_id === 'string' ? b.request_id : null) ?? xhr.getResponseHeader('X-Request-Id');
  return {
    status: xhr.status,
    code: typeof b?.code === 'string' ? b.code : RESPONSE_UNREADABLE,
    ...(requestId ? { requestId } : {}),
    ...(retry && /^\d+$/.test(retry) ? { retryAfter: Number(retry) } : {}),
  };
}

export function uploadPhoto(r: UploadRequest): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('file', r.blob, r.name || 'photo.jpg');
    let stall: ReturnType<typeof setTimeout> | undefined;
    const stallMs = r.stallMs ?? 60_000;
    const unreachable = () => resolve({ ok: false, problem: { status: 0, code: NETWORK_UNREACHABLE } });
    const arm = () => {
      clearTimeout(stall);
      stall = setTimeout(() => xhr.abort(), stallMs);
    };
    xhr.open('POST', r.url);
    if (r.token) xhr.setRequestHeader('Authorization', `Bearer ${r.token}`);
    xhr.setRequestHeader('Idempotency-Key', r.idempotencyKey);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      arm();
      if (e.lengthComputable && e.total > 0) r.onProgress?.(e.loaded / e.total);
    };
    xhr.onprogress = arm;
    xhr.onload = () => {
      clearTimeout(stall);
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve({ ok: true, media: JSON.parse(xhr.responseText) as MediaView });
        } catch {
          resolve({ ok: false, problem: { status: xhr.status, code: RESPONSE_UNREADABLE } });
        }
      } else {
        resolve({ ok: false, problem: problemOf(xhr) });
      }
    };
    xhr.onerror = () => {
      clearTimeout(stall);
      unreachable();
    };
    xhr.onabort = () => {
      clearTimeout(stall);
      unreachable();
    };
    r.signal?.addEventListener('abort', () => xhr.abort());
    arm();
    xhr.send(form);
  });
}
