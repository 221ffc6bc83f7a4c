/**
 * Brings wkmp.db to what wkmp-ai needs (schema.ts) the way WKMP's shared start-up does: creates the
 * tables and indexes that are missing and adds missing columns, whoever made the file and whatever
 * WKMP's own schema version says. It reads first and takes the write lock only when something is
 * missing, so a start on a complete database writes nothing. A column that cannot be added (a key)
 * is a refusal naming the table and the column.
 */
import { SchemaMismatchError } from '../errors.js';
import type { ReadDb, WriteDb } from './connection.js';
import { addColumnSql, createIndexesSql, createTableSql, tables, type Table } from './schema.js';

const SELECT_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'";
const SELECT_INDEXES = "SELECT name FROM sqlite_master WHERE type = 'index'";

/** Whether `table` exists in the file, and the names of its columns. */
export function listColumns(db: ReadDb, table: string): Set<string> {
  return new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name));
}

export function listTables(db: ReadDb): Set<string> {
  return new Set((db.prepare(SELECT_TABLES).all() as { name: string }[]).map((row) => row.name));
}

function listIndexes(db: ReadDb): Set<string> {
  return new Set((db.prepare(SELECT_INDEXES).all() as { name: string }[]).map((row) => row.name));
}

/** The statements that would complete the schema; throws when a table lacks a column that cannot be added. */
export function planSchema(db: ReadDb, dbPath: string, wanted: readonly Table[] = tables): string[] {
  const present = listTables(db);
  const indexes = listIndexes(db);
  const statements: string[] = [];
  for (const table of wanted) {
    if (!present.has(table.name)) {
      statements.push(createTableSql(table), ...createIndexesSql(table));
      continue;
    }
    const columns = listColumns(db, table.name);
    for (const column of table.columns.filter((c) => !columns.has(c.name))) {
      const add = addColumnSql(table, column);
      if (add === null) {
        throw new SchemaMismatchError('startup', `opening ${dbPath}: its table ${table.name} has no column ${column.name}, which wkmp-ai needs and cannot add to a table that has one (a key); the table was made by something else`, { path: dbPath });
      }
      statements.push(add);
    }
    createIndexesSql(table).forEach((sql, i) => {
      if (!indexes.has(table.indexes![i]!.name)) statements.push(sql);
    });
  }
  return statements;
}

/** Plans, and applies what is missing in one immediate transaction (planned again inside it: another process may have just done it). */
export function ensureSchema(db: WriteDb, dbPath: string): string[] {
  if (planSchema(db, dbPath).length === 0) return [];
  return db.transaction(() => {
    const statements = planSchema(db, dbPath);
    for (const sql of statements) db.exec(sql);
    return statements;
  }).immediate();
}
