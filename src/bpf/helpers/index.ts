// index.ts: importing this registers every helper family (each file calls defineHelper).
import './time.js';
import './printk.js';
import './packet.js';
import './csum.js';
import './change.js';
import './meta.js';
import './vlan.js';
import './hash.js';
import './redirect.js';
import './tunnel.js';
import './socket-info.js';
import './net.js';
import './maps.js';
import './tail-call.js';
import './callbacks.js';
import './events.js';
import './misc-base.js';
