/** What of a service decides who bundles Tickwork's functions. */
export interface BundlingService {
  readonly plugins?: readonly string[] | { readonly modules?: readonly string[] };
  readonly provider: { readonly runtime?: string };
  readonly custom?: Record<string, unknown>;
  readonly functions?: Record<string, Record<string, unknown>>;
}

/**
 * Whether serverless-esbuild bundles Tickwork's functions rather than the plugin's own build
 * (`FUNCTION_BUILD`, with Lambda's credential provider). Only when the service uses serverless-esbuild,
 * and then: under serverless-offline (`packaging` false), which serves serverless-esbuild's build
 * directory; or when no function of the service's own is left for it to bundle, because its packaging
 * step fails when it bundles nothing. Otherwise serverless-esbuild skips Tickwork's functions
 * (`skipEsbuild`) and bundles the service's own. With its `skipBuild` it bundles nothing at all: it
 * reuses the zips of an earlier package for the functions serverless.yml declares and marks every
 * function `skipEsbuild` (the service's own before Tickwork's exist, so they cannot be counted), and
 * Tickwork's functions would ship without their code — the plugin bundles them.
 *
 * @param service the service as serverless.yml declares it, before Tickwork adds its functions
 */
export function bundledByServerlessEsbuild(service: BundlingService, packaging: boolean): boolean {
  const plugins = service.plugins;
  const list = Array.isArray(plugins) ? plugins : ((plugins as { modules?: readonly string[] } | undefined)?.modules ?? []);
  if (!list.includes('serverless-esbuild')) return false;
  if (!packaging) return true;
  // Truthy, as serverless-esbuild reads it: `${param:…}` and `${env:…}` give strings.
  if ((service.custom?.esbuild as { skipBuild?: unknown } | undefined)?.skipBuild) return false;
  const bundledByIt = Object.values(service.functions ?? {}).filter(
    (fn) => typeof fn.handler === 'string' && fn.skipEsbuild !== true && String(fn.runtime ?? service.provider.runtime ?? 'nodejs').startsWith('nodejs'),
  );
  return bundledByIt.length === 0;
}
