// types.ts: one parsed BTF type record as a value. Ids index `Btf.types` (id 0 is void);
// `name` is resolved from the string section; members carry byte or bit offsets as encoded.
import { BTF_KIND } from './kinds.js';

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** bit offset of the member (bitfield size split out when the struct's kind_flag is set) */
  readonly bitOffset: number;
  readonly bitfieldSize: number;
}

export interface BtfEnumValue {
  readonly name: string;
  /** the value; ENUM64 values beyond 2^53 lose precision, use `big` for those */
  readonly value: number;
  readonly big: bigint;
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

interface Base {
  readonly id: number;
  readonly name: string;
}

export type BtfType =
  | (Base & { readonly kind: typeof BTF_KIND.UNKN })
  | (Base & { readonly kind: typeof BTF_KIND.INT; readonly size: number; readonly encoding: number; readonly bitOffset: number; readonly bits: number })
  | (Base & {
      readonly kind: typeof BTF_KIND.PTR | typeof BTF_KIND.TYPEDEF | typeof BTF_KIND.VOLATILE | typeof BTF_KIND.CONST | typeof BTF_KIND.RESTRICT | typeof BTF_KIND.TYPE_TAG;
      readonly type: number;
    })
  | (Base & { readonly kind: typeof BTF_KIND.ARRAY; readonly elemType: number; readonly indexType: number; readonly nelems: number })
  | (Base & { readonly kind: typeof BTF_KIND.STRUCT | typeof BTF_KIND.UNION; readonly size: number; readonly members: readonly BtfMember[] })
  | (Base & { readonly kind: typeof BTF_KIND.ENUM | typeof BTF_KIND.ENUM64; readonly size: number; readonly signed: boolean; readonly values: readonly BtfEnumValue[] })
  | (Base & { readonly kind: typeof BTF_KIND.FWD; readonly union: boolean })
  | (Base & { readonly kind: typeof BTF_KIND.FUNC; readonly type: number; readonly linkage: number })
  | (Base & { readonly kind: typeof BTF_KIND.FUNC_PROTO; readonly returnType: number; readonly params: readonly BtfParam[] })
  | (Base & { readonly kind: typeof BTF_KIND.VAR; readonly type: number; readonly linkage: number })
  | (Base & { readonly kind: typeof BTF_KIND.DATASEC; readonly size: number; readonly vars: readonly BtfVarSecinfo[] })
  | (Base & { readonly kind: typeof BTF_KIND.FLOAT; readonly size: number })
  | (Base & { readonly kind: typeof BTF_KIND.DECL_TAG; readonly type: number; readonly componentIdx: number });

export type BtfOf<K extends number> = Extract<BtfType, { kind: K }>;
export type BtfStruct = Extract<BtfType, { kind: typeof BTF_KIND.STRUCT | typeof BTF_KIND.UNION }>;

export interface Btf {
  /** types[0] is void; types[id] for id >= 1 */
  readonly types: readonly BtfType[];
  /** the raw string section, for .BTF.ext and CO-RE access strings */
  strings(off: number, what?: string): string;
}
