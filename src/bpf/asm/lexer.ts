// lexer.ts: one source line of BPF assembly as tokens with 1-based columns. Comments start at
// `;`, `#` or `//`. Pasted `llvm-objdump -d` lines lose their index and byte columns here
// (blanked, so columns still point into the original line).

export type TokenKind = 'id' | 'num' | 'op' | 'raw';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the first character */
  readonly col: number;
  /** numbers only: the value (unsigned; a leading `-` is its own token) */
  readonly value?: bigint;
}

/** Longest first, so `s>>=` wins over `s>` and `<<=` over `<`. */
const OPS = [
  's>>=', '<<=', '>>=', 's>=', 's<=', 's/=', 's%=',
  '+=', '-=', '*=', '/=', '|=', '&=', '%=', '^=', '==', '!=', '>=', '<=', 's>', 's<',
  '=', '>', '<', '(', ')', '[', ']', '*', ',', '+', '-', '&', ':',
];

/** Names whose `[...]` holds free text (a map or symbol name, `fd:3`, `pc+5`). */
const BRACKET_NAMES = new Set(['map', 'func', 'ksym', 'kfunc']);

const isIdStart = (c: string): boolean => /[A-Za-z_.$]/.test(c);
const isIdChar = (c: string): boolean => /[A-Za-z0-9_.$]/.test(c);

export class LexError extends Error {
  constructor(
    readonly col: number,
    message: string,
  ) {
    super(message);
  }
}

/** `      12:\t2d 23 0c 00 00 00 00 00\t` from objdump: blank it out. */
const LISTING_PREFIX = /^(\s*\d+:\s+)((?:[0-9a-fA-F]{2}[ \t]+)*)/;

export function blankListingPrefix(line: string): string {
  const m = LISTING_PREFIX.exec(line);
  if (m === null) return line;
  return ' '.repeat(m[0].length) + line.slice(m[0].length);
}

export function tokenize(line: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';' || c === '#' || (c === '/' && line[i + 1] === '/')) break;
    const col = i + 1;
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && isIdChar(line[j])) j++;
      const text = line.slice(i, j);
      if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) throw new LexError(col, `bad number '${text}'`);
      toks.push({ kind: 'num', text, col, value: BigInt(text) });
      i = j;
      continue;
    }
    const startsSOp = c === 's' && '<>/%'.includes(line[i + 1] ?? '');
    if (isIdStart(c) && !startsSOp) {
      let j = i + 1;
      while (j < n && isIdChar(line[j])) j++;
      const text = line.slice(i, j);
      toks.push({ kind: 'id', text, col });
      i = j;
      if (BRACKET_NAMES.has(text) && line[i] === '[') {
        const close = line.indexOf(']', i + 1);
        if (close < 0) throw new LexError(i + 1, `missing ']' after '${text}['`);
        toks.push({ kind: 'op', text: '[', col: i + 1 });
        const inner = line.slice(i + 1, close);
        const lead = inner.length - inner.trimStart().length;
        toks.push({ kind: 'raw', text: inner.trim(), col: i + 2 + lead });
        toks.push({ kind: 'op', text: ']', col: close + 1 });
        i = close + 1;
      }
      continue;
    }
    const op = OPS.find((o) => line.startsWith(o, i));
    if (op === undefined) throw new LexError(col, `unexpected character '${c}'`);
    toks.push({ kind: 'op', text: op, col });
    i += op.length;
  }
  return toks;
}
