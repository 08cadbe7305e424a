// ext.ts: decodes .BTF.ext: func_info, line_info and CO-RE relocation records, grouped by the
// code section they describe. Instruction offsets come out as instruction indexes within the
// section (the file stores bytes). Strings resolve through the object's .BTF string section.
import { SimError } from '../../errors.js';
import { ByteView } from '../elf/bytes.js';
import { BTF_MAGIC } from './kinds.js';
import type { Btf } from './types.js';

export interface FuncInfo {
  readonly insn: number;
  readonly typeId: number;
}

export interface LineInfo {
  readonly insn: number;
  readonly file: string;
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

export interface CoreRelo {
  readonly insn: number;
  readonly typeId: number;
  readonly access: string;
  readonly kind: number;
}

export interface BtfExt {
  readonly funcInfo: ReadonlyMap<string, readonly FuncInfo[]>;
  readonly lineInfo: ReadonlyMap<string, readonly LineInfo[]>;
  readonly coreRelos: ReadonlyMap<string, readonly CoreRelo[]>;
}

const HDR_MIN = 24;
const HDR_CORE = 32;
const FUNC_INFO_MIN = 8;
const LINE_INFO_MIN = 16;
const CORE_RELO_MIN = 16;

export function parseBtfExt(bytes: Uint8Array, btf: Btf, where: string): BtfExt {
  const v = new ByteView(bytes, where);
  v.check(0, HDR_MIN, '.BTF.ext header');
  const magic = v.u16(0);
  if (magic !== BTF_MAGIC) throw new SimError('EFORMAT', `${where}: bad .BTF.ext magic 0x${magic.toString(16)}`);
  const hdrLen = v.u32(4);
  if (hdrLen < HDR_MIN) throw new SimError('EFORMAT', `${where}: .BTF.ext header length ${hdrLen} < ${HDR_MIN}`);
  const sub = (offAt: number, name: string): ByteView | undefined => {
    const off = v.u32(offAt);
    const len = v.u32(offAt + 4);
    return len === 0 ? undefined : v.slice(hdrLen + off, len, `.BTF.ext ${name}`, `${where}: ${name}`);
  };
  const str = (off: number, what: string): string => btf.strings(off, `${where}: ${what}`);

  const funcInfo = readBlocks(sub(8, 'func_info'), FUNC_INFO_MIN, str, (r, p) => ({
    insn: insnIndex(r, p, where),
    typeId: r.u32(p + 4),
  }));
  const lineInfo = readBlocks(sub(16, 'line_info'), LINE_INFO_MIN, str, (r, p) => {
    const lc = r.u32(p + 12);
    return {
      insn: insnIndex(r, p, where),
      file: str(r.u32(p + 4), 'line_info file name'),
      text: str(r.u32(p + 8), 'line_info source line'),
      line: lc >>> 10,
      col: lc & 0x3ff,
    };
  });
  const coreRelos =
    hdrLen >= HDR_CORE
      ? readBlocks(sub(24, 'core_relo'), CORE_RELO_MIN, str, (r, p) => ({
          insn: insnIndex(r, p, where),
          typeId: r.u32(p + 4),
          access: str(r.u32(p + 8), 'CO-RE access string'),
          kind: r.u32(p + 12),
        }))
      : new Map();
  return { funcInfo, lineInfo, coreRelos };
}

function insnIndex(r: ByteView, p: number, where: string): number {
  const off = r.u32(p);
  if (off % 8 !== 0) throw new SimError('EFORMAT', `${where}: record instruction offset ${off} is not a multiple of 8`);
  return off / 8;
}

/** The common layout: u32 rec_size, then { u32 sec_name_off; u32 num_info; rec[num_info] }... */
function readBlocks<T>(
  r: ByteView | undefined,
  minRec: number,
  str: (off: number, what: string) => string,
  rec: (r: ByteView, p: number) => T,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  if (!r) return out;
  const recSize = r.u32(0, 'record size');
  if (recSize < minRec || recSize % 4 !== 0) {
    throw new SimError('EFORMAT', `${r.where}: record size ${recSize} (need at least ${minRec}, a multiple of 4)`);
  }
  let p = 4;
  while (p < r.length) {
    const sec = str(r.u32(p, 'section name offset'), 'section name');
    const n = r.u32(p + 4, 'record count');
    p += 8;
    r.check(p, n * recSize, `${n} records for section '${sec}'`);
    const list = out.get(sec) ?? [];
    for (let i = 0; i < n; i++, p += recSize) list.push(rec(r, p));
    out.set(sec, list);
  }
  return out;
}
