// The service's rules for contacts seen on a card, ported from
// src/domain/phone.rs and src/domain/contact.rs so a contact is checked as
// it is typed, exactly as the service will check it. contact-cases.json
// holds the cases the unit test runs; the service's own test can assert the
// same file, so the two cannot drift apart unnoticed.
//
// Ported faithfully, including what looks odd: the service trims Unicode
// white space at the ends (Rust's `char::is_whitespace`, which is not JS's
// `\s`: U+0085 is, U+FEFF is not), but inside a number it skips only ASCII
// ` - ( ) .` — a full-width space in the middle of a number is refused.

export type ContactKind = 'phone' | 'wechat' | 'qq' | 'url';
export const CONTACT_KINDS: readonly ContactKind[] = ['phone', 'wechat', 'qq', 'url'];

export type Checked = { ok: true; value: string } | { ok: false };

/** Rust's `char::is_whitespace` (Unicode White_Space). */
export function isRustWhitespace(c: string): boolean {
  const n = c.codePointAt(0)!;
  return (
    (n >= 0x09 && n <= 0x0d) ||
    n === 0x20 ||
    n === 0x85 ||
    n === 0xa0 ||
    n === 0x1680 ||
    (n >= 0x2000 && n <= 0x200a) ||
    n === 0x2028 ||
    n === 0x2029 ||
    n === 0x202f ||
    n === 0x205f ||
    n === 0x3000
  );
}

/** Rust's `str::trim`. */
export function rustTrim(s: string): string {
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && isRustWhitespace(chars[a]!)) a++;
  while (b > a && isRustWhitespace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

const isDigit = (c: string) => c >= '0' && c <= '9' && c.length === 1;
const SEPARATORS = new Set([' ', '-', '(', ')', '.']);

/** Digits and whether a leading `+` was written; null on any other character. */
function digitsOf(input: string): { digits: string; plus: boolean } | null {
  let digits = '';
  let plus = false;
  for (const c of input) {
    if (isDigit(c)) digits += c;
    else if (c === '+' && digits === '' && !plus) plus = true;
    else if (!SEPARATORS.has(c)) return null;
  }
  return { digits, plus };
}

/** `MobileNumber::parse`: a mainland mobile in E.164, or null. */
export function parseMobile(input: string): string | null {
  const d = digitsOf(rustTrim(input));
  if (!d) return null;
  const { digits, plus } = d;
  let national: string | null;
  if (plus) national = digits.startsWith('86') ? digits.slice(2) : null;
  else if (digits.startsWith('0086')) national = digits.slice(4);
  else if (digits.length === 13) national = digits.startsWith('86') ? digits.slice(2) : null;
  else national = digits;
  if (national === null) return null;
  const valid = national.length === 11 && national[0] === '1' && national[1]! >= '3' && national[1]! <= '9';
  return valid ? `+86${national}` : null;
}

/** Mobiles, then landlines (area code + 7–8 digits), to E.164. */
function normalizePhone(raw: string): string | null {
  const mobile = parseMobile(raw);
  if (mobile) return mobile;
  const d = digitsOf(raw);
  if (!d) return null;
  let national: string;
  if (d.plus) {
    if (!d.digits.startsWith('86')) return null;
    national = `0${d.digits.slice(2)}`;
  } else if (d.digits.startsWith('0086')) {
    national = `0${d.digits.slice(4)}`;
  } else {
    national = d.digits;
  }
  if (!national.startsWith('0')) return null;
  const rest = national.slice(1);
  // Two-digit area codes: 10 (Beijing) and 20–29; others have three.
  const areaLen = rest.startsWith('10') || rest.startsWith('2') ? 2 : 3;
  if (rest.length < areaLen || rest.startsWith('0') || (rest.startsWith('1') && areaLen === 3)) return null;
  const local = rest.slice(areaLen);
  if (local.length < 7 || local.length > 8 || local.startsWith('0') || local.startsWith('1')) return null;
  return `+86${rest}`;
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const utf8Length = (s: string) => new TextEncoder().encode(s).length;

function normalizeWechat(raw: string): string | null {
  let id = raw;
  for (const prefix of ['wxid:', '微信:', '微信：']) {
    if (raw.startsWith(prefix)) {
      id = raw.slice(prefix.length);
      break;
    }
  }
  id = asciiLower(rustTrim(id));
  const len = utf8Length(id);
  const valid = len >= 6 && len <= 20 && /^[A-Za-z]/.test(id) && /^[A-Za-z0-9_-]*$/.test(id);
  return valid ? id : null;
}

function normalizeQq(raw: string): string | null {
  const digits = [...raw].filter((c) => !isRustWhitespace(c)).join('');
  const len = utf8Length(digits);
  const valid = len >= 5 && len <= 11 && /^[0-9]*$/.test(digits) && !digits.startsWith('0');
  return valid ? digits : null;
}

/** http(s) URLs as WHATWG URL parsing normalises them, without the fragment. */
function normalizeUrl(raw: string): string | null {
  if (utf8Length(raw) > 2000) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') return null;
  url.hash = '';
  const normalized = url.href;
  if (utf8Length(normalized) > 2000) return null;
  return normalized;
}

/** `Contact::parse`: the value the service will store, or null if it refuses it. */
export function normaliseContact(kind: ContactKind, input: string): string | null {
  const raw = rustTrim(input);
  switch (kind) {
    case 'phone':
      return normalizePhone(raw);
    case 'wechat':
      return normalizeWechat(raw);
    case 'qq':
      return normalizeQq(raw);
    case 'url':
      return normalizeUrl(raw);
  }
}

export function checkContact(kind: ContactKind, input: string): Checked {
  const value = normaliseContact(kind, input);
  return value === null ? { ok: false } : { ok: true, value };
}

/**
 * Which contact a 422 `tip.invalid_contact` names: its message starts with
 * `contacts[i] (kind): …` (or `contacts[i]: …`). Returns the index and the
 * service's text after the colon.
 */
export function refusedContact(message: string): { index: number; detail: string } | null {
  const m = /^contacts\[(\d+)\](?: \([a-z]+\))?: ?(.*)$/s.exec(message);
  return m ? { index: Number(m[1]), detail: m[2]! } : null;
}
