// index.ts: the pcap module's public surface: streaming readers for classic pcap and pcapng,
// writers for both, link types, and raw-IP to Ethernet conversion.
export { openCapture, readCaptureBytes, readAllRecords, CaptureReader, type ReadOptions } from './reader.js';
export { PcapRecord, type CaptureRecord } from './record.js';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export { PcapngWriter, type PcapngInterfaceOptions, type PcapngSectionOptions } from './pcapng-writer.js';
export type { PcapngInterface } from './pcapng-reader.js';
export * from './linktype.js';
export { toEthernetFrame, synthesizeEthernet, rawIpEtherType, SYNTH_DST_MAC, SYNTH_SRC_MAC, ETH_HLEN } from './raw-ip.js';
