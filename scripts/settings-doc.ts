// docs/settings.md, written from the settings' one declaration (src/config/settings.ts).
//   npx tsx scripts/settings-doc.ts --write   regenerates it; a test fails while it is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingFields, settingGroups, type SettingField } from '../src/config/settings.js';

export const settingsDocPath = fileURLToPath(new URL('../docs/settings.md', import.meta.url));

/** A stored value in the unit people read (ticks as seconds). */
function shown(field: SettingField, text: string): string {
  return String(Math.round(Number(text) * field.perStored * 1e6) / 1e6);
}

function unitOf(field: SettingField): string {
  return field.unit ? ` ${field.unit}` : '';
}

function defaultOf(field: SettingField): string {
  if (field.defaultText !== null) return field.defaultText;
  if (field.default === null) return 'none';
  if (field.type !== 'integer' && field.type !== 'number') return `\`${field.default}\``;
  const stored = field.perStored === 1 ? '' : ` (${field.default})`;
  return `${shown(field, field.default)}${unitOf(field)}${stored}`;
}

function boundsOf(field: SettingField): string {
  if (field.min === null || field.max === null) return '';
  return field.maxText === null ? `${shown(field, String(field.min))} to ${shown(field, String(field.max))}${unitOf(field)}` : `${shown(field, String(field.min))} to ${field.maxText}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function settingsDoc(): string {
  const lines = [
    '# Settings',
    '',
    '<!-- Written by `npx tsx scripts/settings-doc.ts --write` from src/config/settings.ts; do not edit by hand. -->',
    '',
    'wkmp-ai\'s settings live in the `settings` table of wkmp.db, as text, numbers in the unit the key names',
    '(ticks: 28,224,000 a second). The service\'s settings page and `POST /api/settings` take them, checked against',
    'the bounds below; a value another program stored outside them is read as the default, with a warning. Missing',
    'keys are seeded at start-up; a default that depends on the machine is seeded empty (NULL) and worked out where',
    'wkmp-ai runs. A secret is never shown by the API: `GET /api/settings` says whether it is set.',
    '',
  ];
  for (const group of settingGroups) {
    lines.push(`## ${group.title}`, '', '| setting | key | default | bounds | what it does |', '|---|---|---|---|---|');
    for (const field of settingFields().filter((f) => f.group === group.id)) {
      const extra = [field.secret ? 'secret' : '', field.env ? `else \`${field.env}\`` : ''].filter((part) => part !== '').join('; ');
      lines.push(`| ${cell(field.label)} | \`${field.key}\` | ${cell(defaultOf(field))} | ${cell(boundsOf(field))} | ${cell(field.help)}${extra ? ` (${extra})` : ''} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv.includes('--write')) writeFileSync(settingsDocPath, settingsDoc());
