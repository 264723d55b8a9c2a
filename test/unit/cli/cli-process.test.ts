import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/meshwarden.js', import.meta.url));
const ENV = { ...process.env, NODE_OPTIONS: '' };

describe('the meshwarden command as a process', () => {
  it('answers an unknown option with the usage of that command and exit code 2, no stack trace', () => {
    const run = spawnSync(process.execPath, [BIN, 'certs', 'rotate', '--bogus'], {
      encoding: 'utf8',
      env: ENV,
    });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--bogus'");
    expect(run.stderr).toContain('Usage: meshwarden certs rotate [options]');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command with the usage and exit code 2', () => {
    const run = spawnSync(process.execPath, [BIN, 'deploymnets'], { encoding: 'utf8', env: ENV });

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown command 'deploymnets'");
    expect(run.stderr).toContain('Usage: meshwarden');
  });

  it('ends quietly with exit code 0 when whoever reads its output stops reading (| head)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshwarden-epipe-'));
    writeFileSync(
      join(dir, 'index.mjs.map'),
      JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }),
    );
    writeFileSync(join(dir, 'trace.txt'), 'Error: boom\n    at handler (index.mjs:1:1)\n'.repeat(20_000));
    // A reader that closes the pipe at once: every write of the CLI then fails with EPIPE.
    const child = spawn(
      process.execPath,
      [BIN, 'stack-trace', join(dir, 'trace.txt'), '--map', join(dir, 'index.mjs.map')],
      {
        env: ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
