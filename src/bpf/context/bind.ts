// bind.ts: puts one Skb in front of a program run: the packet region at the first packet
// generation tag (its size = data_end), the __sk_buff handler at TAG_CTX, and the socket (if the
// skb carries one) at a tag of its own. Returns r1 = (TAG_CTX, 0). Allocation-free after the
// first bind of a given context.
import type { Insn } from '../insn.js';
import { BPF_B, BPF_LDX, BPF_MEM, BPF_MEMSX } from '../opcodes.js';
import { TAG_CTX, type Memory } from '../memory.js';
import type { Skb } from '../skb/skb.js';
import { SkBuffContext } from './sk-buff-ctx.js';
import { SKB_OFF } from './sk-buff-layout.js';
import { SockCommonContext } from './sock-common-ctx.js';

/** r1 at program entry: the ctx pointer. */
export const CTX_POINTER = Object.freeze({ hi: TAG_CTX, lo: 0 });

const socks = new WeakMap<SkBuffContext, SockCommonContext>();

/**
 * Installs `skb` (default: ctx.skb) for a run on ctx.memory and returns r1. The packet becomes
 * generation 0 (older packet pointers fault), so call it once per packet, before the first program.
 */
export function bindSkb(ctx: SkBuffContext, skb: Skb = ctx.skb): { readonly hi: number; readonly lo: number } {
  const memory: Memory = ctx.memory;
  ctx.skb = skb;
  memory.resetPacket(skb.region);
  memory.set(TAG_CTX, ctx.region);
  if (skb.sk !== null) {
    let sock = socks.get(ctx);
    if (sock === undefined) {
      sock = new SockCommonContext();
      socks.set(ctx, sock);
      ctx.sockTag = memory.addStatic(sock.region);
    }
    sock.sk = skb.sk;
  } else if (ctx.sockTag !== 0) {
    const sock = socks.get(ctx);
    if (sock !== undefined) sock.sk = null;
  }
  return CTX_POINTER;
}

/**
 * The verifier's prog->tstamp_type_access, approximated statically: true when the program has a
 * 1-byte load of __sk_buff.tstamp_type (offset 180). Assign it to ctx.tstampTypeAccess per program.
 */
export function readsTstampType(insns: readonly Insn[]): boolean {
  for (const i of insns) {
    if ((i.code === (BPF_LDX | BPF_MEM | BPF_B) || i.code === (BPF_LDX | BPF_MEMSX | BPF_B)) && i.off === SKB_OFF.tstamp_type) return true;
  }
  return false;
}
