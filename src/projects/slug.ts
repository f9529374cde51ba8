import { randomBytes } from 'node:crypto';

/** Uppercase project key used in work item keys (SLUG-12): letters and digits from the name, 2–10 chars. */
function slugBase(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toUpperCase()
    .slice(0, 10);
  return base.length >= 2 ? base : `P${base}X`.slice(0, 3);
}

export function slugCandidates(name: string): string[] {
  const base = slugBase(name);
  const numbered = Array.from({ length: 8 }, (_, i) => `${base.slice(0, 8)}${i + 2}`);
  return [base, ...numbered, `${base.slice(0, 4)}${randomBytes(3).toString('hex').toUpperCase()}`];
}
