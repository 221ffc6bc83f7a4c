/**
 * How a passage's flavor vector is written over the stored one: wkmp-ai's characteristics
 * (flavor/compose.ts `ownCharacteristics`) replaced by those it composed, every other one a user or
 * another service added (SPEC003 MFL-UDEF) kept as it is. Shared by the import's writes of a kept
 * passage and the flavor queue's, so that neither drops what wkmp-ai did not write. Its statements
 * take `@ownCharacteristics` (`ownCharacteristicsParam`) beside the composed vector.
 */
import { ownCharacteristics } from '../../flavor/compose.js';

/** The SQL of the vector to store, from the composed one in the parameter `composed` (NULL: none composed). */
export function keepingUserCharacteristics(composed: string): string {
  return `NULLIF((SELECT json_group_object(key, json(value)) FROM (
    SELECT key, value FROM json_each(COALESCE(${composed}, '{}'))
    UNION ALL
    SELECT key, value FROM json_each(CASE WHEN json_valid(passages.musical_flavor_vector) THEN passages.musical_flavor_vector ELSE '{}' END)
    WHERE key NOT IN (SELECT value FROM json_each(@ownCharacteristics)))), '{}')`;
}

export const ownCharacteristicsParam = JSON.stringify(ownCharacteristics);
