// index.ts: importing this registers every helper family (each file calls defineHelper).
import './time.js';
import './printk.js';
