import { settingDefaults } from '../config/settings.js';
import { openDatabase, type WriteDb } from './connection.js';
import { migrate } from './migrations/index.js';
import { insertMissingSettings } from './queries/settings.js';

/** Opens wkmp.db for the importer: the pragmas, the schema brought up to date, missing settings seeded. */
export function openWkmpDatabase(path: string): WriteDb {
  const db = openDatabase(path);
  try {
    migrate(db, path);
    insertMissingSettings(db, settingDefaults);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
