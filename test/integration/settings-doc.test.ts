/** docs/settings.md is written from the settings' declaration: it may not drift from it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsDoc, settingsDocPath } from '../../scripts/settings-doc.js';
import { settings } from '../../src/config/settings.js';

describe('docs/settings.md', () => {
  it('is what scripts/settings-doc.ts writes from src/config/settings.ts (run it with --write after changing a setting)', () => {
    expect(readFileSync(settingsDocPath, 'utf8')).toBe(settingsDoc());
  });

  it('lists every setting once', () => {
    const text = settingsDoc();
    for (const setting of settings) expect(text.split(`\`${setting.key}\``).length - 1, setting.key).toBe(1);
  });
});
