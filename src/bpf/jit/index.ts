// index.ts: the compiled execution tier (BPF -> JavaScript). Run programs with runProgram();
// engine.ts documents the engine choice and the compile-when-hot policy, compile.ts the code shape.
export { DEFAULT_HOT_RUNS, compileNow, compiledSource, engineOf, execProgram, runProgram, type Engine, type EngineOptions } from './engine.js';
export { MAX_COMPILED_INSNS, compileExecutable, type CompileOptions, type CompileResult } from './compile.js';
