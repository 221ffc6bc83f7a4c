/**
 * How far each file was analysed: 'tags' (a fast first pass over a large library: whole-file
 * passage, no decoding, no content hash yet) or 'full' (decoded: passages at silences, lead-in and
 * lead-out, fingerprints, content hash). A later full import analyses exactly the 'tags' files.
 * Rows written before this migration were tags-only imports.
 */
export const analysisLevel = `
ALTER TABLE files ADD COLUMN analysis TEXT NOT NULL DEFAULT 'tags' CHECK (analysis IN ('tags', 'full'));
`;
