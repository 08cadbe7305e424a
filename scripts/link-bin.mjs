// link-bin.mjs: run by `npm ci` (the prepare script) so that `npx tcxsim` finds this checkout's
// own CLI: npm links the bins of dependencies into node_modules/.bin, never the package's own.
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';

const link = 'node_modules/.bin/tcxsim';
if (existsSync('node_modules')) {
  mkdirSync('node_modules/.bin', { recursive: true });
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {
    // not there yet
  }
  symlinkSync('../../bin/tcxsim.js', link);
}
