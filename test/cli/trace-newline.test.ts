// trace-newline.test.ts: --trace output keeps every line its own: the trace from formatTrace ends
// without a newline, so `prog run` and `run` add one before what follows.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const repo = join(import.meta.dirname, '../..');

describe('--trace output', () => {
  it('prog run: the trace ends its last line before trace_pipe lines and events', async () => {
    const r = await runCli(['prog', 'run', join(repo, 'bpf/tail_dispatch.o'), '--prog', 'dispatch', '--data-in', join(repo, 'bpf/frames/tcp.bin'), '--trace']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^Return value: \d+, duration: \d+ns$/);
    expect(lines[1]).toMatch(/^#1 test_run {2}dispatch\(id \d+\) {2}r0=\d+ \w+ {2}\d+ insns$/);
    expect(r.out.endsWith('\n')).toBe(true);
    for (const l of lines.slice(2, -1)) expect(l).toMatch(/^ {2}\S/);
  });

  it('run: the trace and the packet fates are on separate lines', async () => {
    const r = await runCli(['run', join(repo, 'scenarios/attach-order.yaml'), '--trace', '--json']);
    const lines = r.out.split('\n');
    const fate = lines.findIndex((l) => /^#\d+ \w+ → /.test(l));
    expect(fate).toBeGreaterThan(0);
    // the line before the first fate is the trace's last line, not joined to the fate
    expect(lines[fate - 1]).not.toMatch(/→/);
    expect(lines.filter((l) => /\S#\d+ \w+ → /.test(l))).toEqual([]);
  });
});
