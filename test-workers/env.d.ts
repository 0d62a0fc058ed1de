// The parts of workerd's modules these tests use (the pool provides them at run time).
declare module "cloudflare:workers" {
  export const env: Record<string, string | undefined>;
  export const exports: { default: { fetch(request: Request): Promise<Response> } };
}
interface CacheStorage {
  readonly default: Cache;
}
