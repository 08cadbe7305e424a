// run.ts: `npm run bench` entry; each bench module prints its own figures and ratios.
const modules: string[] = ['./interp.bench.js', './jit.bench.js', './replay.bench.js'];
for (const m of modules) await import(m);
