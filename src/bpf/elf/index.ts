// index.ts: the ELF loader's public surface: loadObject / loadObjectFile produce an ObjectSpec.
export { loadObject, loadObjectFile } from './load-object.js';
export { checkMapAttrs, type MapAttrs } from './map-check.js';
export { progSectionType, legacyTailSlot } from './prog-section.js';
