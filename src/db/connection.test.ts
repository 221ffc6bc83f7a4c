import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databasePathProblem, openReadConnection, openWriteConnection } from './connection.js';

const folder = () => mkdtempSync(join(tmpdir(), 'wkmp-connection-'));

describe('where a database can be', () => {
  it('says what is wrong with the place of a database file, in words for a person', () => {
    const root = folder();
    writeFileSync(join(root, 'a file'), 'x');
    mkdirSync(join(root, 'a folder'));
    expect(databasePathProblem(join(root, 'wkmp.db'))).toBeNull();
    expect(databasePathProblem(join(root, 'a file', 'wkmp.db'))).toBe(`${join(root, 'a file')} is a file, not a folder`);
    expect(databasePathProblem(join(root, 'missing', 'deeper', 'wkmp.db'))).toBe(`the folder ${join(root, 'missing', 'deeper')} does not exist`);
    expect(databasePathProblem(join(root, 'a folder'))).toBe('it is a folder, not a database file');
  });

  it('refuses in one line naming the file a database that is not one, or whose place is wrong, for writing and for reading', () => {
    const root = folder();
    const text = join(root, 'notes.db');
    writeFileSync(text, 'these are notes, not a database, and long enough to have a first page of their own '.repeat(20));
    expect(() => openWriteConnection(text, 0)).toThrow(`opening ${text}: it is not an SQLite database`);
    expect(() => openWriteConnection(join(root, 'missing', 'wkmp.db'), 0)).toThrow(`opening ${join(root, 'missing', 'wkmp.db')}: the folder ${join(root, 'missing')} does not exist`);
    expect(() => openReadConnection(join(root, 'none.db'), 0)).toThrow(/none\.db/);
  });
});
