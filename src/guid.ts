import { v7 as uuidv7 } from 'uuid';

/**
 * Ids for new rows: UUIDs of version 7, whose leading timestamp makes rows created one after
 * another sort together, so each primary-key index grows at its right edge instead of dirtying a
 * random page per insert (measured in docs/adr/0001-batched-single-writer.md).
 */
export function newGuid(): string {
  return uuidv7();
}
