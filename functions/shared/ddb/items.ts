/** Small helpers the adapters share for turning stored items into domain objects. */

/** Copies the listed fields that are present (drops keys, index attributes and bookkeeping). */
export function pickFields<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) picked[field] = item[field];
  return picked as T;
}
