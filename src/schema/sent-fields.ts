// Update mutations change only what the client sent: an argument left out (or null where null means "keep") stays.

/** The fields of `input` named in `keys` that were sent with a value (neither null nor undefined), unchanged. */
export function sentFields<T extends object, K extends keyof T>(input: T, keys: readonly K[]): { [P in K]?: NonNullable<T[P]> } {
  const data: { [P in K]?: NonNullable<T[P]> } = {};
  for (const key of keys) {
    const value = input[key];
    if (value != null) data[key] = value;
  }
  return data;
}
