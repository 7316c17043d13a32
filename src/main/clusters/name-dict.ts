/**
 * Records keyed by names from files (kubeconfig entry names, auth-provider config keys), as
 * null-prototype objects: `__proto__`, `constructor` or `toString` is an entry like any other.
 * z.record and a plain object are not safe for them: assigning `__proto__` to a plain object
 * replaces its prototype instead of adding a key (so the key vanishes, and its secret with it),
 * and a plain object answers `constructor` it never held.
 */
import { z } from 'zod';

/** An empty null-prototype record: every key, `__proto__` too, is an own entry. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A null-prototype copy of `entries` (Object.fromEntries for names from files). */
export function dictFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = dict<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** A zod schema for an object whose keys are names from a file and whose values match `value`; the result has a null prototype. */
export function dictOf<T extends z.ZodType>(value: T) {
  return z.unknown().transform((input, ctx): Record<string, z.output<T>> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: 'expected an object' });
      return z.NEVER;
    }
    const out = dict<z.output<T>>();
    for (const [key, inner] of Object.entries(input)) {
      const parsed = value.safeParse(inner);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid', path: [key] });
        return z.NEVER;
      }
      out[key] = parsed.data;
    }
    return out;
  });
}
