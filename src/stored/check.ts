/**
 * Reading back the JSON that wkmp-ai keeps in the database's text columns. Each shape is declared
 * once, beside its check (import-metadata.ts, additional-metadata.ts, cue-sheet.ts,
 * candidates.ts); whoever reads a column gets the value typed, or `unreadable` with one line that
 * names the column and what is wrong in it, never a value trusted by a cast: another WKMP
 * service, an older release or a hand edit may have written it.
 *
 * `object<T>` takes one check per property of `T`, so a property added to a shape and not to its
 * check does not compile. Hand-written rather than a schema library: the command line reads these
 * on its main thread, kept lean on purpose (docs/adr/0006); ajv 8 took ~55 ms to load and as much
 * again to compile one schema, zod 4 ~100 ms to load, these nothing measurable.
 */
import { errorMessage } from '../errors.js';

/** Returns `value` as a `T`, or throws a ShapeError saying where in the value (`at`) and what is wrong. */
export type Check<T> = (value: unknown, at: string) => T;

/** A stored value as read back: typed, or unreadable with the reason, the column named. */
export type Stored<T> = { readable: true; value: T } | { readable: false; problem: string };

class ShapeError extends Error {}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function wrong(at: string, wanted: string, value: unknown): never {
  throw new ShapeError(`${at === '' ? 'the value' : at} must be ${wanted}, got ${shown(value)}`);
}

export const string: Check<string> = (value, at) => (typeof value === 'string' ? value : wrong(at, 'a string', value));

export const number: Check<number> = (value, at) => (typeof value === 'number' && Number.isFinite(value) ? value : wrong(at, 'a number', value));

export const boolean: Check<boolean> = (value, at) => (typeof value === 'boolean' ? value : wrong(at, 'true or false', value));

/** Any JSON: for what another module parses field by field (the services' replies, identify/). */
export const anyJson: Check<unknown> = (value) => value;

export function oneOf<const T extends readonly string[]>(...values: T): Check<T[number]> {
  return (value, at) => (values.includes(value as string) ? (value as T[number]) : wrong(at, `one of ${values.map((v) => `"${v}"`).join(', ')}`, value));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, at) => (value === null ? null : check(value, at));
}

/** A property that may be absent. */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, at) => (value === undefined ? undefined : check(value, at));
}

export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value, at) => (Array.isArray(value) ? value.map((item, i) => check(item, `${at}[${i}]`)) : wrong(at, 'an array', value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with any keys, each value checked. */
export function recordOf<T>(check: Check<T>): Check<Record<string, T>> {
  return (value, at) => {
    if (!isRecord(value)) return wrong(at, 'an object', value);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, check(item, at === '' ? key : `${at}.${key}`)]));
  };
}

/** An object with `T`'s properties, each checked; properties `T` does not declare are left out. */
export function object<T>(checks: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
  return (value, at) => {
    if (!isRecord(value)) return wrong(at, 'an object', value);
    const result: Partial<T> = {};
    for (const key of Object.keys(checks) as (keyof T & string)[]) {
      const property = checks[key](value[key], at === '' ? key : `${at}.${key}`);
      if (property !== undefined) result[key] = property;
    }
    return result as T;
  };
}

/** `text` from `column` (e.g. `passages.import_metadata`), parsed and checked. */
export function readJsonColumn<T>(column: string, text: string, check: Check<T>): Stored<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { readable: false, problem: `${column} is not JSON (${errorMessage(error)})` };
  }
  try {
    return { readable: true, value: check(parsed, '') };
  } catch (error) {
    if (error instanceof ShapeError) return { readable: false, problem: `${column}: ${error.message}` };
    throw error;
  }
}
