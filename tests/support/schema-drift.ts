import { getDMMF } from "@prisma/get-dmmf";
import type Database from "better-sqlite3";

/** The column type Prisma's SQLite connector creates for each scalar type. */
const SQLITE_TYPES: Record<string, string> = {
  String: "TEXT",
  Int: "INTEGER",
  BigInt: "BIGINT",
  Float: "REAL",
  Decimal: "DECIMAL",
  Boolean: "BOOLEAN",
  DateTime: "DATETIME",
  Json: "JSONB",
  Bytes: "BLOB",
};

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isRequired: boolean;
  isId: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string }[];
}

function expectedDefault(field: DmmfField): string | null {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (typeof value === "object" && value !== null && "name" in value) {
    const fn = (value as { name: string }).name;
    if (fn === "now") return "CURRENT_TIMESTAMP";
    if (fn === "autoincrement") return null;
    throw new Error(`The drift check does not know the default function ${fn}()`);
  }
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  return String(value);
}

const ON_DELETE_SQL: Record<string, string> = {
  Cascade: "CASCADE",
  SetNull: "SET NULL",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetDefault: "SET DEFAULT",
};

/**
 * Every difference between schema.prisma (read through Prisma's own DMMF) and the tables the
 * migrations produced in `db`: tables, columns, types, nullability, defaults, primary keys,
 * autoincrement, indexes, unique constraints and foreign keys. Empty means no drift.
 */
export function schemaDrift(schema: string, db: Database.Database): string[] {
  const dmmf = getDMMF({ datamodel: schema });
  if ("reason" in dmmf) throw new Error(`schema.prisma does not parse: ${dmmf.reason}`);
  const models = dmmf.datamodel.models as unknown as DmmfModel[];
  const indexes = dmmf.datamodel.indexes as unknown as DmmfIndex[];
  const problems: string[] = [];

  const tables = new Map(
    (
      db
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_prisma_migrations', 'sqlite_sequence')",
        )
        .all() as { name: string; sql: string }[]
    ).map((t) => [t.name, t.sql]),
  );
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  for (const table of tables.keys()) {
    if (!models.some((m) => tableOf(m) === table)) problems.push(`table ${table} has no model`);
  }

  for (const model of models) {
    const table = tableOf(model);
    const tableSql = tables.get(table);
    if (tableSql === undefined) {
      problems.push(`model ${model.name}: table ${table} is missing`);
      continue;
    }
    const columns = new Map(
      (
        db.prepare(`PRAGMA table_info("${table}")`).all() as {
          name: string;
          type: string;
          notnull: number;
          dflt_value: string | null;
          pk: number;
        }[]
      ).map((c) => [c.name, c]),
    );
    const scalars = model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    const columnOf = (field: DmmfField) => field.dbName ?? field.name;
    for (const column of columns.keys()) {
      if (!scalars.some((f) => columnOf(f) === column)) {
        problems.push(`${table}.${column} has no field in model ${model.name}`);
      }
    }
    for (const field of scalars) {
      const where = `${model.name}.${field.name}`;
      const column = columns.get(columnOf(field));
      if (column === undefined) {
        problems.push(`${where}: column is missing`);
        continue;
      }
      const type = field.kind === "enum" ? "TEXT" : SQLITE_TYPES[field.type];
      if (column.type !== type) problems.push(`${where}: type ${column.type}, expected ${type}`);
      const required = field.isRequired || field.isId;
      if ((column.notnull === 1) !== required) {
        problems.push(`${where}: ${column.notnull ? "NOT NULL" : "nullable"} in the database`);
      }
      if (column.pk > 0 !== field.isId) problems.push(`${where}: primary key differs`);
      const dflt = expectedDefault(field);
      if (column.dflt_value !== dflt) {
        problems.push(`${where}: default ${column.dflt_value}, expected ${dflt}`);
      }
      const autoincrement =
        typeof field.default === "object" &&
        field.default !== null &&
        (field.default as { name?: string }).name === "autoincrement";
      if (autoincrement && !/PRIMARY KEY AUTOINCREMENT/i.test(tableSql)) {
        problems.push(`${where}: AUTOINCREMENT is missing`);
      }
    }

    const actualIndexes = (
      db.prepare(`PRAGMA index_list("${table}")`).all() as {
        name: string;
        unique: number;
        origin: string;
      }[]
    )
      .filter((i) => i.origin !== "pk")
      .map((i) => {
        const cols = (
          db.prepare(`PRAGMA index_info("${i.name}")`).all() as { seqno: number; name: string }[]
        )
          .sort((a, b) => a.seqno - b.seqno)
          .map((c) => c.name);
        return `${i.unique ? "UNIQUE " : ""}INDEX ${i.name} (${cols.join(", ")})`;
      });
    const expectedIndexes = indexes
      .filter((i) => i.model === model.name && (i.type === "unique" || i.type === "normal"))
      .map((i) => {
        const cols = i.fields.map((f) => {
          const field = model.fields.find((mf) => mf.name === f.name);
          return field === undefined ? f.name : columnOf(field);
        });
        const suffix = i.type === "unique" ? "key" : "idx";
        const name = i.dbName ?? `${table}_${cols.join("_")}_${suffix}`;
        return `${i.type === "unique" ? "UNIQUE " : ""}INDEX ${name} (${cols.join(", ")})`;
      });
    for (const index of expectedIndexes) {
      if (!actualIndexes.includes(index)) problems.push(`${model.name}: missing ${index}`);
    }
    for (const index of actualIndexes) {
      if (!expectedIndexes.includes(index)) problems.push(`${model.name}: unexpected ${index}`);
    }

    const actualKeys = (
      db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as {
        id: number;
        seq: number;
        table: string;
        from: string;
        to: string;
        on_delete: string;
      }[]
    ).map((k) => `(${k.from}) → ${k.table}(${k.to}) ON DELETE ${k.on_delete}`);
    const expectedKeys = model.fields
      .filter((f) => f.kind === "object" && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const target = models.find((m) => m.name === f.type);
        const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
        return `(${f.relationFromFields?.join(", ")}) → ${target ? tableOf(target) : f.type}(${f.relationToFields?.join(", ")}) ON DELETE ${ON_DELETE_SQL[onDelete]}`;
      });
    for (const key of expectedKeys) {
      if (!actualKeys.includes(key)) problems.push(`${model.name}: missing foreign key ${key}`);
    }
    for (const key of actualKeys) {
      if (!expectedKeys.includes(key))
        problems.push(`${model.name}: unexpected foreign key ${key}`);
    }
  }
  return problems;
}
