/** Reading the services' JSON without trusting its shape: a missing or mistyped field is absent, never a crash. */
export type Json = Record<string, unknown>;

export const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const asString = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
export const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
