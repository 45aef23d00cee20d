// wasm-opt -Oz over every file of a split build in one process (binaryen 132's JS build): one
// start instead of one per chunk, which is most of the time with some 250 chunks. Usage:
// node opt.mjs FILE... (each optimised in place). Features: what rustc and wasm-bindgen emit
// here; `All` would enable proposals whose imports Chromium rejects.
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

const F = binaryen.Features;
const features = F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt
  | F.SignExt | F.ReferenceTypes | F.Multivalue;
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
for (const file of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(file));
  module.setFeatures(features);
  module.optimize();
  module.runPasses(['strip-debug', 'strip-producers']);
  if (!module.validate()) {
    console.error(`opt: ${file} does not validate after optimisation`);
    process.exit(1);
  }
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
