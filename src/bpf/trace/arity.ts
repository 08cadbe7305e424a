// arity.ts: how many arguments each helper takes (include/uapi/linux/bpf.h signatures) and which
// return a pointer, so traces show r1..rN and print NULL rather than 0. Unknown helpers show all 5.

/** Helper id -> argument count, for the helpers a tc program can call. */
const ARITY: Readonly<Record<number, number>> = {
  1: 2, 2: 4, 3: 2, 4: 3, 5: 0, 6: 5, 7: 0, 8: 0, 9: 5, 10: 5, 11: 5, 12: 3, 13: 3, 14: 0, 15: 0, 16: 2,
  17: 1, 18: 3, 19: 1, 20: 4, 21: 4, 22: 2, 23: 2, 24: 1, 25: 5, 26: 4, 27: 3, 28: 5, 29: 3, 30: 3,
  31: 3, 32: 2, 33: 3, 34: 1, 35: 0, 38: 3, 39: 2, 40: 2, 41: 1, 42: 0, 43: 3, 45: 3, 46: 1, 47: 1,
  48: 2, 50: 4, 66: 5, 67: 4, 68: 5, 69: 4, 79: 1, 80: 0, 83: 2, 84: 5, 85: 5, 86: 1, 87: 3, 88: 2,
  89: 2, 93: 1, 94: 1, 95: 1, 96: 1, 97: 1, 98: 1, 99: 5, 100: 5, 105: 4, 106: 4, 107: 4, 108: 2,
  110: 5, 112: 3, 113: 3, 114: 3, 115: 3, 118: 0, 120: 4, 122: 1, 123: 1, 124: 3, 125: 0, 130: 4,
  131: 3, 132: 2, 133: 2, 134: 2, 135: 2, 151: 1, 152: 4, 153: 2, 154: 1, 155: 2, 160: 0, 163: 5,
  164: 4, 165: 5, 181: 4, 182: 3, 192: 3, 195: 3, 208: 0,
};

/** Helpers whose r0 is a pointer (or NULL). */
const POINTER_RESULT = new Set([1, 84, 85, 95, 96, 98, 99, 107, 131, 153, 154, 195]);

export function helperArity(id: number): number {
  return ARITY[id] ?? 5;
}

export function returnsPointer(id: number): boolean {
  return POINTER_RESULT.has(id);
}
