import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidTaskError, OutputDeliveryError, TickworkError } from '../../../src/errors.js';
import { MemoryObjectStore, type ObjectStore } from '../../../src/output/ObjectStore.js';
import { OutputWriter } from '../../../src/output/OutputWriter.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickwork-output-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('OutputWriter to files', () => {
  it('writes a relative path under the root, creating folders, and overwrites on the next write', async () => {
    const writer = new OutputWriter({ root });
    await writer.write('storage/logs/out.log', 'first\n', { append: false });
    expect(await readFile(join(root, 'storage/logs/out.log'), 'utf8')).toBe('first\n');
    await writer.write('storage/logs/out.log', 'second ✓\n', { append: false });
    expect(await readFile(join(root, 'storage/logs/out.log'), 'utf8')).toBe('second ✓\n');
  });

  it('appends, creating the file on the first append', async () => {
    const writer = new OutputWriter({ root });
    await writer.write('a/b/run.log', 'one\n', { append: true });
    await writer.write('a/b/run.log', 'two\n', { append: true });
    expect(await readFile(join(root, 'a/b/run.log'), 'utf8')).toBe('one\ntwo\n');
  });

  it('writes an absolute path where it points, not under the root', async () => {
    const elsewhere = join(root, 'elsewhere', 'abs.log');
    await new OutputWriter({ root: join(root, 'unused-root') }).write(elsewhere, 'abs', { append: false });
    expect(await readFile(elsewhere, 'utf8')).toBe('abs');
  });

  it('writes file targets to disk even when it has an object store', async () => {
    const objects = new MemoryObjectStore();
    await new OutputWriter({ root, objects }).write('logs/out.log', 'on disk\n', { append: true });
    expect(await readFile(join(root, 'logs/out.log'), 'utf8')).toBe('on disk\n');
    expect(objects.objects().size).toBe(0);
  });

  it('reports a file-system failure as an OutputDeliveryError naming the target', async () => {
    await writeFile(join(root, 'blocker'), 'a file, not a folder');
    const error = await new OutputWriter({ root }).write('blocker/out.log', 'x', { append: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ code: 'OUTPUT_DELIVERY_FAILED', target: 'blocker/out.log' });
    expect((error as Error).message).toMatch(/^Output to blocker\/out\.log: could not append output: .*(?:EEXIST|ENOTDIR)/);
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/EEXIST|ENOTDIR/) });
  });

  it('reports a target that does not parse as an OutputDeliveryError, keeping the parse error as cause', async () => {
    const error = await new OutputWriter({ root }).write('s3://bucket', 'x', { append: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ target: 's3://bucket' });
    expect((error as Error).cause).toBeInstanceOf(InvalidTaskError);
  });
});

describe('OutputWriter to s3:// targets without an object store', () => {
  it('mirrors them to <root>/s3/<bucket>/<key>, appending like files do', async () => {
    const writer = new OutputWriter({ root });
    await writer.write('s3://reports/nightly/2026-11-23.log', 'one\n', { append: false });
    await writer.write('s3://reports/nightly/2026-11-23.log', 'two\n', { append: true });
    await writer.write('s3://reports/fresh.log', 'new\n', { append: true });
    expect(await readFile(join(root, 's3', 'reports', 'nightly', '2026-11-23.log'), 'utf8')).toBe('one\ntwo\n');
    expect(await readFile(join(root, 's3', 'reports', 'fresh.log'), 'utf8')).toBe('new\n');
  });
});

describe('OutputWriter to s3:// targets over an object store', () => {
  const target = 's3://reports/nightly/run.log';

  it('write puts the text, replacing what was there, and writes nothing to disk', async () => {
    const objects = new MemoryObjectStore();
    const writer = new OutputWriter({ root, objects });
    await writer.write(target, 'old\n', { append: false });
    await writer.write(target, 'nightly ✓ done\n', { append: false });
    expect([...objects.objects()]).toEqual([['reports/nightly/run.log', 'nightly ✓ done\n']]);
    expect(await readdir(root)).toEqual([]);
  });

  it('append to a missing object creates it', async () => {
    const objects = new MemoryObjectStore();
    await new OutputWriter({ root, objects }).write(target, 'first run\n', { append: true });
    expect(await objects.read('reports', 'nightly/run.log')).toBe('first run\n');
  });

  it('append to an existing object writes back the old text followed by the new', async () => {
    const objects = new MemoryObjectStore();
    await objects.write('reports', 'nightly/run.log', 'run 1 — ü\n');
    const writer = new OutputWriter({ root, objects });
    await writer.write(target, 'run 2 — 日本\n', { append: true });
    await writer.write(target, 'run 3\n', { append: true });
    expect(await objects.read('reports', 'nightly/run.log')).toBe('run 1 — ü\nrun 2 — 日本\nrun 3\n');
  });

  it('reports a store failure as an OutputDeliveryError naming the target, keeping the cause', async () => {
    const cause = Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
    const broken: ObjectStore = {
      read: async () => {
        throw cause;
      },
      write: async () => {
        throw cause;
      },
    };
    const writer = new OutputWriter({ root, objects: broken });
    for (const append of [false, true]) {
      const error = await writer.write(target, 'x', { append }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputDeliveryError);
      expect(error).toMatchObject({ code: 'OUTPUT_DELIVERY_FAILED', target });
      expect((error as Error).message).toBe(
        `Output to ${target}: could not ${append ? 'append' : 'write'} output: NoSuchBucket: The specified bucket does not exist`,
      );
      expect((error as Error).cause).toBe(cause);
    }
  });

  it('does not write when reading the object to append to fails, so the old text is never replaced', async () => {
    const objects = new MemoryObjectStore();
    await objects.write('reports', 'nightly/run.log', 'precious\n');
    const flaky: ObjectStore = {
      read: async () => {
        throw new Error('SlowDown');
      },
      write: (bucket, key, text) => objects.write(bucket, key, text),
    };
    await expect(new OutputWriter({ root, objects: flaky }).write(target, 'more\n', { append: true })).rejects.toThrow(OutputDeliveryError);
    expect(await objects.read('reports', 'nightly/run.log')).toBe('precious\n');
  });
});

describe('OutputWriter options', () => {
  it.each([
    [{ root: '' }, 'expects a non-empty root folder, got ""'],
    [{ root: 42 }, 'expects a non-empty root folder, got 42'],
    [{ root: '/tmp', mode: 'aws' }, 'unknown option mode; expected only root, objects'],
    [{ root: '/tmp', s3: {} }, 'unknown option s3'],
    [{ root: '/tmp', objects: {} }, 'expects objects to be an ObjectStore with read() and write(), got object'],
    [{ root: '/tmp', objects: { read: async () => undefined } }, 'expects objects to be an ObjectStore with read() and write()'],
    [{ root: '/tmp', objects: null }, 'expects objects to be an ObjectStore with read() and write(), got object'],
  ])('rejects %j', (options, message) => {
    const construct = () => new OutputWriter(options as never);
    expect(construct).toThrow(message);
    expect(construct).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as TickworkError);
  });
});
