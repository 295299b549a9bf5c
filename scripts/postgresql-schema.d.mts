export const SQLITE_SCHEMA: URL;
export const POSTGRESQL_SCHEMA: URL;
export function postgresqlSchema(sqliteSchema: string): string;
export function readSqliteSchema(): string;
