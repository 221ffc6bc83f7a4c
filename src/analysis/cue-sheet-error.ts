/**
 * A cue sheet that cannot be read, apart from the parser (cue-sheet.ts) so that reading a FLAC's
 * CUESHEET block (flac-cue-sheet.ts) does not load the text decoders a .cue file needs.
 */
/** A sheet that cannot be read; `line` is 1-based, null when the sheet as a whole is wrong. */
export class CueSheetError extends Error {
  readonly line: number | null;

  constructor(message: string, line: number | null = null) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = 'CueSheetError';
    this.line = line;
  }
}
