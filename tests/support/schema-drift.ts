import { getDMMF } from "@prisma/get-dmmf";
import type Database from "better-sqlite3";
import type pg from "pg";

export type Dialect = "sqlite" | "postgresql";

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

/** The column type Prisma's PostgreSQL connector creates, as format_type() prints it. */
const POSTGRES_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Bytes: "bytea",
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

/** The default as the database reports it: SQLite's PRAGMA text, PostgreSQL's pg_get_expr(). */
function expectedDefault(field: DmmfField, table: string, dialect: Dialect): string | null {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (typeof value === "object" && value !== null && "name" in value) {
    const fn = (value as { name: string }).name;
    if (fn === "now") return "CURRENT_TIMESTAMP";
    if (fn === "autoincrement") {
      // SQLite's AUTOINCREMENT is no default (checked on the table); SERIAL is a sequence.
      return dialect === "sqlite" ? null : `nextval('"${table}_${field.name}_seq"'::regclass)`;
    }
    throw new Error(`The drift check does not know the default function ${fn}()`);
  }
  if (typeof value === "string") {
    const literal = `'${value.replaceAll("'", "''")}'`;
    return dialect === "sqlite" ? literal : `${literal}::text`;
  }
  return String(value);
}

const ON_DELETE_SQL: Record<string, string> = {
  Cascade: "CASCADE",
  SetNull: "SET NULL",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetDefault: "SET DEFAULT",
};

/** What the drift check needs to know of one table, read from either database. */
export interface TableShape {
  columns: Map<string, { type: string; notNull: boolean; default: string | null; pk: boolean }>;
  /** SQLite only: whether the table was created with PRIMARY KEY AUTOINCREMENT. */
  autoincrement: boolean;
  /** "UNIQUE INDEX name (a, b)" or "INDEX name (a)", primary keys left out. */
  indexes: string[];
  /** "(from) → Table(to) ON DELETE ACTION". */
  foreignKeys: string[];
}

/** The tables of a migrated SQLite database, `_prisma_migrations` left out. */
export function sqliteShape(db: Database.Database): Map<string, TableShape> {
  const tables = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_prisma_migrations', 'sqlite_sequence')",
    )
    .all() as { name: string; sql: string }[];
  return new Map(
    tables.map((table) => {
      const columns = (
        db.prepare(`PRAGMA table_info("${table.name}")`).all() as {
          name: string;
          type: string;
          notnull: number;
          dflt_value: string | null;
          pk: number;
        }[]
      ).map(
        (c) =>
          [
            c.name,
            { type: c.type, notNull: c.notnull === 1, default: c.dflt_value, pk: c.pk > 0 },
          ] as const,
      );
      const indexes = (
        db.prepare(`PRAGMA index_list("${table.name}")`).all() as {
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
      const foreignKeys = (
        db.prepare(`PRAGMA foreign_key_list("${table.name}")`).all() as {
          table: string;
          from: string;
          to: string;
          on_delete: string;
        }[]
      ).map((k) => `(${k.from}) → ${k.table}(${k.to}) ON DELETE ${k.on_delete}`);
      const shape: TableShape = {
        columns: new Map(columns),
        autoincrement: /PRIMARY KEY AUTOINCREMENT/i.test(table.sql),
        indexes,
        foreignKeys,
      };
      return [table.name, shape] as const;
    }),
  );
}

const PG_ON_DELETE: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/** The tables of one migrated PostgreSQL schema, `_prisma_migrations` left out. */
export async function postgresShape(
  client: pg.Client,
  schema: string,
): Promise<Map<string, TableShape>> {
  const tables = new Map<string, TableShape>();
  const { rows: tableRows } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> '_prisma_migrations'`,
    [schema],
  );
  for (const { name } of tableRows) {
    tables.set(name, { columns: new Map(), autoincrement: false, indexes: [], foreignKeys: [] });
  }
  const get = (name: string) => {
    const table = tables.get(name);
    if (table === undefined) throw new Error(`no table ${name}`);
    return table;
  };
  const { rows: columns } = await client.query<{
    table: string;
    name: string;
    type: string;
    notnull: boolean;
    dflt: string | null;
    pk: boolean;
  }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
                    AND a.attnum = ANY (i.indkey)) AS pk
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'`,
    [schema],
  );
  for (const c of columns) {
    get(c.table).columns.set(c.name, {
      type: c.type,
      notNull: c.notnull,
      default: c.dflt,
      pk: c.pk,
    });
  }
  const { rows: indexes } = await client.query<{
    table: string;
    name: string;
    unique: boolean;
    cols: string[];
  }>(
    `SELECT t.relname AS table, ix.relname AS name, i.indisunique AS unique,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  ORDER BY k.ord)::text[] AS cols
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_class ix ON ix.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisprimary AND t.relname <> '_prisma_migrations'`,
    [schema],
  );
  for (const i of indexes) {
    get(i.table).indexes.push(`${i.unique ? "UNIQUE " : ""}INDEX ${i.name} (${i.cols.join(", ")})`);
  }
  const { rows: keys } = await client.query<{
    table: string;
    target: string;
    from: string[];
    to: string[];
    ondelete: string;
  }>(
    `SELECT t.relname AS table, r.relname AS target, k.confdeltype AS ondelete,
            array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY AS x(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum
                  ORDER BY x.ord)::text[] AS from,
            array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY AS x(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.attnum
                  ORDER BY x.ord)::text[] AS to
       FROM pg_constraint k
       JOIN pg_class t ON t.oid = k.conrelid
       JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND k.contype = 'f'`,
    [schema],
  );
  for (const k of keys) {
    get(k.table).foreignKeys.push(
      `(${k.from.join(", ")}) → ${k.target}(${k.to.join(", ")}) ON DELETE ${PG_ON_DELETE[k.ondelete]}`,
    );
  }
  return tables;
}

/**
 * Every difference between schema.prisma (read through Prisma's own DMMF) and the tables the
 * migrations produced: tables, columns, types, nullability, defaults, primary keys,
 * autoincrement, indexes, unique constraints and foreign keys. Empty means no drift.
 */
export function schemaDrift(
  schema: string,
  tables: Map<string, TableShape>,
  dialect: Dialect = "sqlite",
): string[] {
  const dmmf = getDMMF({ datamodel: schema });
  if ("reason" in dmmf) throw new Error(`schema.prisma does not parse: ${dmmf.reason}`);
  const models = dmmf.datamodel.models as unknown as DmmfModel[];
  const indexes = dmmf.datamodel.indexes as unknown as DmmfIndex[];
  const types = dialect === "sqlite" ? SQLITE_TYPES : POSTGRES_TYPES;
  const problems: string[] = [];

  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  for (const table of tables.keys()) {
    if (!models.some((m) => tableOf(m) === table)) problems.push(`table ${table} has no model`);
  }

  for (const model of models) {
    const table = tableOf(model);
    const shape = tables.get(table);
    if (shape === undefined) {
      problems.push(`model ${model.name}: table ${table} is missing`);
      continue;
    }
    const { columns } = shape;
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
      const type = field.kind === "enum" ? types.String : types[field.type];
      if (column.type !== type) problems.push(`${where}: type ${column.type}, expected ${type}`);
      const required = field.isRequired || field.isId;
      if (column.notNull !== required) {
        problems.push(`${where}: ${column.notNull ? "NOT NULL" : "nullable"} in the database`);
      }
      if (column.pk !== field.isId) problems.push(`${where}: primary key differs`);
      const dflt = expectedDefault(field, table, dialect);
      if (column.default !== dflt) {
        problems.push(`${where}: default ${column.default}, expected ${dflt}`);
      }
      const autoincrement =
        typeof field.default === "object" &&
        field.default !== null &&
        (field.default as { name?: string }).name === "autoincrement";
      if (dialect === "sqlite" && autoincrement && !shape.autoincrement) {
        problems.push(`${where}: AUTOINCREMENT is missing`);
      }
    }

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
      if (!shape.indexes.includes(index)) problems.push(`${model.name}: missing ${index}`);
    }
    for (const index of shape.indexes) {
      if (!expectedIndexes.includes(index)) problems.push(`${model.name}: unexpected ${index}`);
    }

    const expectedKeys = model.fields
      .filter((f) => f.kind === "object" && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const target = models.find((m) => m.name === f.type);
        const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
        return `(${f.relationFromFields?.join(", ")}) → ${target ? tableOf(target) : f.type}(${f.relationToFields?.join(", ")}) ON DELETE ${ON_DELETE_SQL[onDelete]}`;
      });
    for (const key of expectedKeys) {
      if (!shape.foreignKeys.includes(key))
        problems.push(`${model.name}: missing foreign key ${key}`);
    }
    for (const key of shape.foreignKeys) {
      if (!expectedKeys.includes(key))
        problems.push(`${model.name}: unexpected foreign key ${key}`);
    }
  }
  return problems;
}
