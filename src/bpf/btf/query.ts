// query.ts: questions asked of a parsed BTF: strip qualifiers, sizeof, find by name and kind,
// decl tags of a function. Loops in the type graph are EFORMAT, never a hang.
import { SimError } from '../../errors.js';
import { BTF_KIND, btfKindName } from './kinds.js';
import type { Btf, BtfOf, BtfType } from './types.js';

const MAX_RESOLVE_DEPTH = 32;

export function typeById(btf: Btf, id: number, where: string): BtfType {
  const t = btf.types[id];
  if (!t) throw new SimError('EFORMAT', `${where}: BTF type [${id}] does not exist`);
  return t;
}

/** Follows TYPEDEF/VOLATILE/CONST/RESTRICT/TYPE_TAG to the underlying type (libbpf skip_mods_and_typedefs). */
export function skipModifiers(btf: Btf, id: number, where: string): BtfType {
  let t = typeById(btf, id, where);
  for (let depth = 0; ; depth++) {
    if (depth > MAX_RESOLVE_DEPTH) throw new SimError('EFORMAT', `${where}: BTF type [${id}]: qualifier chain too deep (loop?)`);
    switch (t.kind) {
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
        t = typeById(btf, t.type, where);
        break;
      default:
        return t;
    }
  }
}

/** sizeof(type) in bytes (libbpf btf__resolve_size); EINVAL for void, functions and forward declarations. */
export function typeSize(btf: Btf, id: number, where: string): number {
  let nelems = 1;
  let t = typeById(btf, id, where);
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    switch (t.kind) {
      case BTF_KIND.INT:
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64:
      case BTF_KIND.DATASEC:
      case BTF_KIND.FLOAT:
        return nelems * t.size;
      case BTF_KIND.PTR:
        return nelems * 8;
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.TYPE_TAG:
      case BTF_KIND.VAR:
        t = typeById(btf, t.type, where);
        break;
      case BTF_KIND.ARRAY:
        nelems *= t.nelems;
        t = typeById(btf, t.elemType, where);
        break;
      default:
        throw new SimError('EINVAL', `${where}: BTF type [${t.id}] ${btfKindName(t.kind)} '${t.name}' has no size`);
    }
  }
  throw new SimError('EFORMAT', `${where}: BTF type [${id}]: type chain too deep (loop?)`);
}

export function findByName<K extends number>(btf: Btf, kind: K, name: string): BtfOf<K> | undefined {
  for (const t of btf.types) if (t.kind === kind && t.name === name) return t as BtfOf<K>;
  return undefined;
}

/** DECL_TAG strings attached to the whole of type `id` (component_idx -1), e.g. `tail:cilium_calls/3`. */
export function declTags(btf: Btf, id: number): string[] {
  const out: string[] = [];
  for (const t of btf.types) if (t.kind === BTF_KIND.DECL_TAG && t.type === id && t.componentIdx === -1) out.push(t.name);
  return out;
}
