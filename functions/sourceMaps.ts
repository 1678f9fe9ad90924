/**
 * Stack traces of a bundled function point into its source files, with the source map read only when
 * a trace is first formatted — never at start-up. `NODE_OPTIONS=--enable-source-maps` reads and parses
 * every module's map as the module loads: on each cold start, about a third of the import's CPU and a
 * quarter of its memory when it was measured (`npm run bench`, budget 2). Here the map of
 * a frame's file is read the first time an error's `stack` is formatted, and kept for the container.
 *
 * A frame in a file with a `<file>.map` beside it reads `at name (src/runner/runTick.ts:12:5)`; frames
 * of other files, and every frame when the map cannot be read, stay as V8 prints them. The first trace
 * pays for the map, once per container: for the tick's, about 45–50 ms and 19 MiB here, most of it
 * decoding the mappings (`new SourceMap`). The plugin's build leaves the sources out of the map
 * (`FUNCTION_BUILD.sourcesContent`): 0.6 MB instead of 1.9, read and parsed in about 4 ms instead of 10,
 * and 4 MiB less memory at the first trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type CallSite = NodeJS.CallSite & {
  getEnclosingLineNumber?(): number | null;
  getEnclosingColumnNumber?(): number | null;
  isAsync?(): boolean;
};

/** A file's map and the directory its `sources` are relative to; `null` once a file is known to have none. */
const maps = new Map<string, { map: SourceMap; sourceRoot: string } | null>();

/**
 * Formats stack traces through the bundle's source map, from now on. Does nothing when Node maps them
 * itself (`--enable-source-maps` set by the user). Node 20.20 and 22 define a default
 * `Error.prepareStackTrace`; this one replaces it.
 */
export function mapStackTracesLazily(): void {
  if (process.sourceMapsEnabled || Error.prepareStackTrace === formatStack) return;
  Error.prepareStackTrace = formatStack;
}

function formatStack(error: unknown, sites: NodeJS.CallSite[]): string {
  return `${headline(error)}${(sites as CallSite[]).map((site, i) => `\n    at ${safeFrame(site, sites[i + 1] as CallSite | undefined)}`).join('')}`;
}

/** A frame that cannot be mapped stays as V8 prints it: formatting a trace must never throw (V8 would rethrow on every `stack` read). */
function safeFrame(site: CallSite, caller: CallSite | undefined): string {
  try {
    return frame(site, caller);
  } catch {
    return site.toString();
  }
}

/** What V8 prints above the frames: `Name: message`. */
function headline(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

function frame(site: CallSite, caller: CallSite | undefined): string {
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const found = file === undefined || file === null || line === null || column === null ? null : mapOf(file);
  const entry = found?.map.findEntry(line! - 1, column! - 1);
  if (found === null || found === undefined || entry === undefined || !('originalSource' in entry)) return site.toString();
  const at = `${sourcePath(entry.originalSource, found.sourceRoot)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = originalName(site, caller, found.map) ?? site.getFunctionName();
  const prefix = `${site.isAsync?.() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
  return name ? `${prefix}${name} (${at})` : `${prefix}${at}`;
}

/**
 * The function's original name: the map's name at the function's start, else at the caller's call
 * (minified code often has a name only there); as Node's own mapping does.
 */
function originalName(site: CallSite, caller: CallSite | undefined, map: SourceMap): string | undefined {
  const enclosing = nameAt(map, site.getEnclosingLineNumber?.(), site.getEnclosingColumnNumber?.());
  if (enclosing !== undefined || caller === undefined) return enclosing;
  const file = caller.getFileName();
  const callerMap = file ? mapOf(file)?.map : undefined;
  return callerMap === undefined ? undefined : nameAt(callerMap, caller.getLineNumber(), caller.getColumnNumber());
}

function nameAt(map: SourceMap, line: number | null | undefined, column: number | null | undefined): string | undefined {
  if (typeof line !== 'number' || typeof column !== 'number') return undefined;
  const entry = map.findEntry(line - 1, column - 1);
  return 'name' in entry && typeof entry.name === 'string' && entry.name !== '' ? entry.name : undefined;
}

function mapOf(file: string): { map: SourceMap; sourceRoot: string } | null {
  let found = maps.get(file);
  if (found === undefined) {
    found = readMap(file);
    maps.set(file, found);
  }
  return found;
}

function readMap(file: string): { map: SourceMap; sourceRoot: string } | null {
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (!isAbsolute(path) || !existsSync(`${path}.map`)) return null;
    const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sourceRoot?: string };
    return { map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), sourceRoot: resolve(dirname(path), payload.sourceRoot ?? '') };
  } catch {
    return null;
  }
}

function sourcePath(source: string, sourceRoot: string): string {
  if (source.startsWith('file:')) return fileURLToPath(source);
  return isAbsolute(source) ? source : resolve(sourceRoot, source);
}
