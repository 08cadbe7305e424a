// progress.ts: a one-line progress display on stderr for long replays, dependency-free. It
// appears only when stderr is a TTY and the replay has run for more than a second, redraws at
// most 10 times a second, and erases itself at the end.

export interface Progress {
  update(packets: number, bytes: number): void;
  done(): void;
}

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 100;

export function progress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(packets, bytes) {
      if (!tty) return;
      const now = performance.now();
      if (now - t0 < SHOW_AFTER_MS || now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      const s = (now - t0) / 1000;
      const bar = '#'.repeat(Math.floor(s) % 21).padEnd(20, '.');
      stream.write(`\r[${bar}] ${packets} packets, ${(bytes / 1e6).toFixed(1)} MB, ${Math.round(packets / s)} pps, ${s.toFixed(1)} s `);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
