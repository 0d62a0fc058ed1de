// The parts of workerd's modules these tests use (the pool provides them at run time).
declare module "cloudflare:workers" {
  export const env: Record<string, unknown>;
  export const exports: { default: { fetch(request: Request): Promise<Response> } };
}
interface CacheStorage {
  readonly default: Cache;
}
declare module "cloudflare:test" {
  export interface D1Migration {
    name: string;
    queries: string[];
  }
  export function createExecutionContext(): ExecutionContext;
  /** Settles when every promise given to the context's waitUntil has. */
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>;
  export function applyD1Migrations(
    db: unknown,
    migrations: D1Migration[],
    migrationsTableName?: string,
  ): Promise<void>;
}
