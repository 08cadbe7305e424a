// legacy-maps.ts: the pre-BTF `maps` section: one definition per OBJECT symbol, either libbpf's
// old `struct bpf_map_def` (5 x u32, 20 bytes) or iproute2's `struct bpf_elf_map` (9 x u32,
// 36 bytes, adding id, pinning, inner_id, inner_idx). Longer entries keep only what we know.
import { SimError } from '../../errors.js';
import { ByteView } from './bytes.js';
import { type ElfSection, type ElfSymbol, STT_FILE, STT_SECTION } from './elf-file.js';

export interface LegacyMapDef {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** iproute2 fields (0 when the entry is a 20-byte bpf_map_def) */
  readonly id: number;
  readonly pinning: number;
  readonly innerId: number;
  readonly innerIdx: number;
}

const BPF_MAP_DEF_SIZE = 20;

export function parseLegacyMaps(sec: ElfSection, symbols: readonly ElfSymbol[], where: string): LegacyMapDef[] {
  const syms = symbols
    .filter((s) => s.shndx === sec.index && s.type !== STT_SECTION && s.type !== STT_FILE)
    .sort((a, b) => a.value - b.value);
  if (syms.length === 0) {
    if (sec.size === 0) return [];
    throw new SimError('EINVAL', `${where}: ${sec.size} bytes of map definitions but no symbols name them`);
  }
  const even = sec.size / syms.length;
  const v = new ByteView(sec.data, where);
  return syms.map((s) => {
    const size = s.size > 0 ? s.size : even;
    const at = `${where}: map '${s.name}'`;
    if (!Number.isInteger(size) || size < BPF_MAP_DEF_SIZE) {
      throw new SimError('EINVAL', `${at}: definition of ${size} bytes is shorter than struct bpf_map_def (${BPF_MAP_DEF_SIZE})`);
    }
    v.check(s.value, size, `map '${s.name}'`);
    const word = (i: number): number => (4 * (i + 1) <= size ? v.u32(s.value + 4 * i) : 0);
    return {
      name: s.name,
      offset: s.value,
      size,
      type: word(0),
      keySize: word(1),
      valueSize: word(2),
      maxEntries: word(3),
      flags: word(4),
      id: word(5),
      pinning: word(6),
      innerId: word(7),
      innerIdx: word(8),
    };
  });
}
