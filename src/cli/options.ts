// options.ts: option definitions several commands share, defined once.
export const engineOption = {
  choices: ['compiled', 'interpreter'] as const,
  default: 'compiled' as const,
  describe: 'compiled: translate hot programs to JavaScript; interpreter: the reference interpreter',
};
