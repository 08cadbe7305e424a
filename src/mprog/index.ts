// index.ts: bpf_mprog, the generic multi-program array: ordering, revisions, ownership.
// It knows nothing of devices or packets; src/tcx binds it to netdev hooks.
export * from './flags.js';
export { MprogBundle, type MprogTuple } from './bundle.js';
export { tupleRelative, type MprogLookup, type MprogProg, type MprogLink, type RelativeTuple } from './relative.js';
export { posExact, posBefore, posAfter } from './position.js';
export { mprogAttach, resolvePosition, checkRevision, type MprogAttachRequest } from './attach.js';
export { mprogDetach, type MprogDetachRequest } from './detach.js';
export { mprogQuery, type MprogQueryRequest, type MprogQueryResult } from './query.js';
