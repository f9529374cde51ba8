// scrypt (memory-hard KDF from node:crypto): no native addon to build, parameters stored with the hash, so hashes
// made with an older cost still verify and are upgraded on the next successful login (needsRehash).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's current guidance for scrypt: N = 2^17, r = 8, p = 1 (128 MiB per hash; `npm run bench:login` prints its time). */
export const DEFAULT_COST_LOG2 = 17;
const KEYLEN = 32;

export const paramsFor = (costLog2: number): ScryptParams => ({ N: 2 ** costLog2, r: 8, p: 1 });

function derive(password: string, salt: Buffer, params: ScryptParams, keylen: number): Promise<Buffer> {
  // maxmem: what these parameters need (128·N·r·p bytes) plus headroom; node's default (32 MiB) refuses N = 2^17.
  const maxmem = 128 * params.N * params.r * params.p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keylen, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params, KEYLEN);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface Verified {
  ok: boolean;
  /** The hash was made with other parameters than `params`: store a new one (the password is known right now). */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, params: ScryptParams): Promise<Verified> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !key || !salt) return { ok: false, needsRehash: false };
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: +n!, r: +r!, p: +p! }, expected.length);
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  return { ok, needsRehash: ok && (+n! !== params.N || +r! !== params.r || +p! !== params.p) };
}

/**
 * A hash of a random password with the current parameters, made once per process: a login for an unknown email is
 * verified against it, so it costs the same time as one for a known email (no way to learn who has an account).
 */
export class DummyHash {
  private hash: Promise<string> | undefined;
  constructor(private readonly params: ScryptParams) {}
  get(): Promise<string> {
    return (this.hash ??= hashPassword(randomBytes(16).toString('hex'), this.params));
  }
}
