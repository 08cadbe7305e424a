// index.ts: the per-packet trace (record, recorder, formatter) and the user-space event stream.
export type { FaultRecord, HelperEvent, MapWriteEvent, ProgRef, RunTrace, TailCallEvent, TraceEvent } from './record.js';
export { PacketTracer, type TracerOptions, progRef, verdictName } from './tracer.js';
export { formatEvent as formatTraceEvent, formatRun, formatRunHeader, formatTrace } from './format.js';
export { describeResult, describeScalar, describeValue } from './describe.js';
export { EventStream, type EventRecord, type EventRecordJson, type PerfEventRecord, type RingbufRecord, eventToJson, formatEvent } from './event-stream.js';
