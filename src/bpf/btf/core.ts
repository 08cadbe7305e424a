// core.ts: CO-RE relocations resolved against the object's own (local) BTF, the simulator's
// "kernel" types being the program's UAPI types (spec §1.8). Computes each relocation's value
// as libbpf's bpf_core_calc_relo would for an identical target and patches the instruction.
import { SimError } from '../../errors.js';
import type { Insn } from '../insn.js';
import { BPF_ALU, BPF_ALU64, BPF_K, BPF_LDX, BPF_ST, BPF_STX, isLddw, opClass, opSrc } from '../opcodes.js';
import type { CoreRelo } from './ext.js';
import { BPF_CORE, BTF_KIND, BTF_INT_SIGNED } from './kinds.js';
import { skipModifiers, typeSize } from './query.js';
import type { Btf } from './types.js';

/** The value a CO-RE relocation resolves to when target types equal local types. */
export function coreLocalValue(btf: Btf, relo: CoreRelo, where: string): number {
  const at = `${where}: CO-RE relocation (kind ${relo.kind}, type [${relo.typeId}], access "${relo.access}")`;
  switch (relo.kind) {
    case BPF_CORE.TYPE_ID_LOCAL:
    case BPF_CORE.TYPE_ID_TARGET:
      return relo.typeId;
    case BPF_CORE.TYPE_EXISTS:
    case BPF_CORE.TYPE_MATCHES:
      return 1;
    case BPF_CORE.TYPE_SIZE:
      return typeSize(btf, relo.typeId, at);
    case BPF_CORE.ENUMVAL_EXISTS:
    case BPF_CORE.ENUMVAL_VALUE: {
      const t = skipModifiers(btf, relo.typeId, at);
      const idx = accessIndexes(relo.access, at)[0];
      if ((t.kind !== BTF_KIND.ENUM && t.kind !== BTF_KIND.ENUM64) || idx >= t.values.length) {
        throw new SimError('EINVAL', `${at}: not an enumerator of an enum`);
      }
      return relo.kind === BPF_CORE.ENUMVAL_EXISTS ? 1 : t.values[idx].value;
    }
    case BPF_CORE.FIELD_BYTE_OFFSET:
    case BPF_CORE.FIELD_BYTE_SIZE:
    case BPF_CORE.FIELD_EXISTS:
    case BPF_CORE.FIELD_SIGNED:
    case BPF_CORE.FIELD_LSHIFT_U64:
    case BPF_CORE.FIELD_RSHIFT_U64:
      return fieldValue(btf, relo, at);
    default:
      throw new SimError('EINVAL', `${at}: unknown CO-RE relocation kind`);
  }
}

function accessIndexes(access: string, at: string): number[] {
  if (!/^\d+(:\d+)*$/.test(access)) throw new SimError('EINVAL', `${at}: malformed access string`);
  return access.split(':').map(Number);
}

function fieldValue(btf: Btf, relo: CoreRelo, at: string): number {
  const idx = accessIndexes(relo.access, at);
  let typeId = relo.typeId;
  let bitOff = idx[0] * 8 * typeSize(btf, typeId, at);
  let bitfield = 0;
  for (let k = 1; k < idx.length; k++) {
    const t = skipModifiers(btf, typeId, at);
    if (t.kind === BTF_KIND.STRUCT || t.kind === BTF_KIND.UNION) {
      const m = t.members[idx[k]];
      if (!m) throw new SimError('EINVAL', `${at}: member ${idx[k]} of '${t.name}' does not exist`);
      bitOff += m.bitOffset;
      bitfield = m.bitfieldSize;
      typeId = m.type;
    } else if (t.kind === BTF_KIND.ARRAY) {
      bitOff += idx[k] * 8 * typeSize(btf, t.elemType, at);
      bitfield = 0;
      typeId = t.elemType;
    } else {
      throw new SimError('EINVAL', `${at}: step ${k} indexes into a non-composite type`);
    }
  }
  const fieldType = skipModifiers(btf, typeId, at);
  const memSize = typeSize(btf, typeId, at);
  let byteSize = memSize;
  let byteOff: number;
  const bitSize = bitfield || memSize * 8;
  if (!bitfield) {
    byteOff = Math.floor(bitOff / 8);
  } else {
    // libbpf bpf_core_calc_field_relo: the smallest aligned load that covers the bitfield.
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new SimError('EINVAL', `${at}: bitfield cannot be loaded with one access`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  }
  switch (relo.kind) {
    case BPF_CORE.FIELD_BYTE_OFFSET:
      return byteOff;
    case BPF_CORE.FIELD_BYTE_SIZE:
      return byteSize;
    case BPF_CORE.FIELD_EXISTS:
      return 1;
    case BPF_CORE.FIELD_SIGNED:
      return (fieldType.kind === BTF_KIND.INT && (fieldType.encoding & BTF_INT_SIGNED) !== 0) ||
        ((fieldType.kind === BTF_KIND.ENUM || fieldType.kind === BTF_KIND.ENUM64) && fieldType.signed)
        ? 1
        : 0;
    case BPF_CORE.FIELD_LSHIFT_U64:
      return 64 - (bitOff + bitSize - byteOff * 8);
    default:
      return 64 - bitSize;
  }
}

/** Writes `value` where libbpf bpf_core_patch_insn would: ALU imm, memory offset, or lddw imm. */
export function patchCoreInsn(insns: Insn[], i: number, value: number, at: string): void {
  const x = insns[i];
  if (!x) throw new SimError('EINVAL', `${at}: CO-RE relocation at insn ${i} is past the section end`);
  const cls = opClass(x.code);
  if ((cls === BPF_ALU || cls === BPF_ALU64) && opSrc(x.code) === BPF_K) {
    insns[i] = { ...x, imm: value | 0 };
  } else if (cls === BPF_LDX || cls === BPF_ST || cls === BPF_STX) {
    if (value < -0x8000 || value > 0x7fff) throw new SimError('ERANGE', `${at}: offset ${value} does not fit insn ${i}`);
    insns[i] = { ...x, off: value };
  } else if (isLddw(x.code) && i + 1 < insns.length) {
    insns[i] = { ...x, imm: value | 0 };
    insns[i + 1] = { ...insns[i + 1], imm: Math.floor(value / 0x1_0000_0000) | 0 };
  } else {
    throw new SimError('EINVAL', `${at}: CO-RE relocation on insn ${i} (opcode 0x${x.code.toString(16)}) that takes no constant`);
  }
}
