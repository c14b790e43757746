#!/usr/bin/env node
// ort-profile: ONNX Runtime's own per-node times for a model, to set beside
// `NNRT_PROFILE=1 nnrt-bench MODEL` (a diagnostic, not a test).
//
//   tools/ort-profile.mjs MODEL [RUNS] [THREADS]
//
// Runs the model RUNS times (default 300) with ORT's profiler on, one
// intra-op thread by default and the settings of tools/bench-ort.mjs, then
// prints each kernel's minimum and median time in microseconds over the
// runs after the first 50 (warm-up), in execution order, and their sum.
// Node names are ORT's after its own fusions (e.g. "relu:7_nchwc" is a
// Conv with its Relu, in ORT's channel-blocked layout).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.FACEATTR_NODE_MODULES || path.join(here, '..', '.cache', 'node', 'node_modules');
const ort = createRequire(path.join(modulesDir, 'noop.js'))('onnxruntime-node');

const [model, runsArg, threadsArg] = process.argv.slice(2);
if (!model) {
  console.error('usage: ort-profile.mjs MODEL [RUNS] [THREADS]');
  process.exit(2);
}
const runs = Number(runsArg || 300), threads = Number(threadsArg || 1);
const warmup = Math.min(50, Math.floor(runs / 2));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));

const s = await ort.InferenceSession.create(model, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: path.join(dir, 'p'),
  logSeverityLevel: 3,
});
const feeds = {};
let seed = 12345;
for (const m of s.inputMetadata) {
  // free dimensions as 1, as tools/bench-nnrt does
  const dims = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (seed >>> 8) / (1 << 24);
  }
  feeds[m.name] = new ort.Tensor('float32', data, dims);
}
for (let i = 0; i < runs; i++) await s.run(feeds);
s.endProfiling();

const file = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f))[0];
const events = JSON.parse(fs.readFileSync(file, 'utf8'));
fs.rmSync(dir, { recursive: true, force: true });
const nodes = new Map(); // name -> {op, times}
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const name = e.name.slice(0, -'_kernel_time'.length);
  if (!nodes.has(name)) nodes.set(name, { op: e.args.op_name, times: [] });
  nodes.get(name).times.push(e.dur);
}
const median = (v) => { const w = [...v].sort((a, b) => a - b); return w[Math.floor(w.length / 2)]; };
let sumMin = 0, sumMed = 0;
console.log(`ort-profile: ${model}, ${runs} runs (${warmup} warm-up dropped), ${threads} thread(s)`);
console.log('  min us  median us  op                 node');
for (const [name, { op, times }] of nodes) {
  const t = times.length > warmup ? times.slice(warmup) : times;
  const mn = Math.min(...t), md = median(t);
  sumMin += mn;
  sumMed += md;
  console.log(`${mn.toFixed(0).padStart(8)} ${md.toFixed(0).padStart(10)}  ${op.padEnd(18)} ${name}`);
}
console.log(`sum of per-node minima ${sumMin} us, of medians ${sumMed} us`);
