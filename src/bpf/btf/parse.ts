// parse.ts: decodes a .BTF section (header, type records, string section) into typed records.
// Every record and every referenced type id is checked, so later lookups cannot run off the
// table; anything malformed is SimError('EFORMAT') naming the section and type id.
import { SimError } from '../../errors.js';
import { ByteView } from '../elf/bytes.js';
import { BTF_KIND, BTF_KIND_MAX, BTF_MAGIC, btfKindName } from './kinds.js';
import type { Btf, BtfMember, BtfType } from './types.js';

const HDR_MIN = 24;

export function parseBtf(bytes: Uint8Array, where: string): Btf {
  const v = new ByteView(bytes, where);
  v.check(0, HDR_MIN, 'BTF header');
  const magic = v.u16(0);
  if (magic !== BTF_MAGIC) throw new SimError('EFORMAT', `${where}: bad BTF magic 0x${magic.toString(16)}`);
  const version = v.u8(2);
  if (version !== 1) throw new SimError('EFORMAT', `${where}: unsupported BTF version ${version}`);
  const hdrLen = v.u32(4);
  if (hdrLen < HDR_MIN) throw new SimError('EFORMAT', `${where}: BTF header length ${hdrLen} < ${HDR_MIN}`);
  const typeOff = v.u32(8);
  const typeLen = v.u32(12);
  const strOff = v.u32(16);
  const strLen = v.u32(20);
  const tv = v.slice(hdrLen + typeOff, typeLen, 'BTF type section');
  const sv = v.slice(hdrLen + strOff, strLen, 'BTF string section');
  if (strLen === 0 || sv.u8(0) !== 0 || sv.u8(strLen - 1) !== 0) {
    throw new SimError('EFORMAT', `${where}: BTF string section must start and end with NUL`);
  }
  const str = (off: number, what = 'string'): string => {
    if (off >= strLen) throw new SimError('EFORMAT', `${where}: ${what}: string offset ${off} beyond the string section (${strLen} bytes)`);
    return sv.cstring(off, what);
  };

  const types: BtfType[] = [{ id: 0, kind: BTF_KIND.UNKN, name: '' }];
  let o = 0;
  while (o < typeLen) {
    const id = types.length;
    const what = `type [${id}]`;
    const name = str(tv.u32(o, what), `name of ${what}`);
    const info = tv.u32(o + 4, what);
    const sizeOrType = tv.u32(o + 8, what);
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const kflag = info >>> 31 === 1;
    o += 12;
    if (kind === 0 || kind > BTF_KIND_MAX) throw new SimError('EFORMAT', `${where}: ${what}: unknown BTF kind ${kind}`);
    const list = <T>(recSize: number, f: (p: number, i: number) => T): T[] => {
      tv.check(o, vlen * recSize, `${what} (${btfKindName(kind)}, ${vlen} entries)`);
      const out: T[] = [];
      for (let i = 0; i < vlen; i++) out.push(f(o + i * recSize, i));
      o += vlen * recSize;
      return out;
    };
    switch (kind) {
      case BTF_KIND.INT: {
        const e = tv.u32(o, what);
        o += 4;
        types.push({ id, kind, name, size: sizeOrType, encoding: (e >>> 24) & 0x0f, bitOffset: (e >>> 16) & 0xff, bits: e & 0xff });
        break;
      }
      case BTF_KIND.PTR:
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
        types.push({ id, kind, name, type: sizeOrType });
        break;
      case BTF_KIND.ARRAY:
        types.push({ id, kind, name, elemType: tv.u32(o, what), indexType: tv.u32(o + 4, what), nelems: tv.u32(o + 8, what) });
        o += 12;
        break;
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION: {
        const members: BtfMember[] = list(12, (p, i) => {
          const off = tv.u32(p + 8, what);
          return {
            name: str(tv.u32(p, what), `${what} member ${i}`),
            type: tv.u32(p + 4, what),
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          };
        });
        types.push({ id, kind, name, size: sizeOrType, members });
        break;
      }
      case BTF_KIND.ENUM:
        types.push({
          id, kind, name, size: sizeOrType, signed: kflag,
          values: list(8, (p, i) => {
            const val = kflag ? tv.i32(p + 4, what) : tv.u32(p + 4, what);
            return { name: str(tv.u32(p, what), `${what} enumerator ${i}`), value: val, big: BigInt(val) };
          }),
        });
        break;
      case BTF_KIND.ENUM64:
        types.push({
          id, kind, name, size: sizeOrType, signed: kflag,
          values: list(12, (p, i) => {
            let big = (BigInt(tv.u32(p + 8, what)) << 32n) | BigInt(tv.u32(p + 4, what));
            if (kflag) big = BigInt.asIntN(64, big);
            return { name: str(tv.u32(p, what), `${what} enumerator ${i}`), value: Number(big), big };
          }),
        });
        break;
      case BTF_KIND.FWD:
        types.push({ id, kind, name, union: kflag });
        break;
      case BTF_KIND.FUNC:
        types.push({ id, kind, name, type: sizeOrType, linkage: vlen });
        break;
      case BTF_KIND.FUNC_PROTO:
        types.push({
          id, kind, name, returnType: sizeOrType,
          params: list(8, (p, i) => ({ name: str(tv.u32(p, what), `${what} param ${i}`), type: tv.u32(p + 4, what) })),
        });
        break;
      case BTF_KIND.VAR:
        types.push({ id, kind, name, type: sizeOrType, linkage: tv.u32(o, what) });
        o += 4;
        break;
      case BTF_KIND.DATASEC:
        types.push({
          id, kind, name, size: sizeOrType,
          vars: list(12, (p) => ({ type: tv.u32(p, what), offset: tv.u32(p + 4, what), size: tv.u32(p + 8, what) })),
        });
        break;
      case BTF_KIND.FLOAT:
        types.push({ id, kind, name, size: sizeOrType });
        break;
      case BTF_KIND.DECL_TAG:
        types.push({ id, kind, name, type: sizeOrType, componentIdx: tv.i32(o, what) });
        o += 4;
        break;
    }
  }
  if (o !== typeLen) throw new SimError('EFORMAT', `${where}: BTF type section: last record runs past its end`);
  checkRefs(types, where);
  return { types, strings: str };
}

/** Every type id a record names must exist (libbpf btf_sanity_check / kernel btf_check_all_types). */
function checkRefs(types: readonly BtfType[], where: string): void {
  const n = types.length;
  const ref = (id: number, from: BtfType, role: string): void => {
    if (id >= n) {
      throw new SimError('EFORMAT', `${where}: type [${from.id}] ${btfKindName(from.kind)} '${from.name}': ${role} refers to type [${id}], but only ${n - 1} types exist`);
    }
  };
  for (const t of types) {
    switch (t.kind) {
      case BTF_KIND.PTR:
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
      case BTF_KIND.VAR:
      case BTF_KIND.DECL_TAG:
        ref(t.type, t, 'type');
        break;
      case BTF_KIND.FUNC:
        ref(t.type, t, 'type');
        if (types[t.type].kind !== BTF_KIND.FUNC_PROTO) {
          throw new SimError('EFORMAT', `${where}: type [${t.id}] FUNC '${t.name}' does not point to a FUNC_PROTO`);
        }
        break;
      case BTF_KIND.ARRAY:
        ref(t.elemType, t, 'element type');
        ref(t.indexType, t, 'index type');
        break;
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
        t.members.forEach((m, i) => ref(m.type, t, `member ${i}`));
        break;
      case BTF_KIND.FUNC_PROTO:
        ref(t.returnType, t, 'return type');
        t.params.forEach((p, i) => ref(p.type, t, `param ${i}`));
        break;
      case BTF_KIND.DATASEC:
        t.vars.forEach((s, i) => ref(s.type, t, `var ${i}`));
        break;
      default:
        break;
    }
  }
}
