import { describe, expect, it } from 'vitest';
import { SimError, errnoName } from '../src/errors.js';

describe('SimError', () => {
  it('carries the errno name and number', () => {
    const e = new SimError('ESTALE', 'tcx attach veth0/ingress: expected revision 3, have 4');
    expect(e.code).toBe('ESTALE');
    expect(e.errno).toBe(116);
    expect(e.message).toBe('ESTALE: tcx attach veth0/ingress: expected revision 3, have 4');
  });
  it('names errno values', () => {
    expect(errnoName(-22)).toBe('EINVAL');
    expect(errnoName(34)).toBe('ERANGE');
  });
});
