#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU, one thread) and
// writes every output as OUTDIR/<output name>.npy. It is the independent
// reference the nnrt tests compare against; it is never part of the product.
//
//   node tools/ort-run.mjs MODEL.onnx OUTDIR [NAME=IN.npy ...]
//   node tools/ort-run.mjs --batch JOBS.json
//
// The batch form runs many models in one process (starting Node and ONNX
// Runtime costs about half a second): JOBS.json is a list of
// {"model", "outdir", "inputs": {NAME: FILE.npy}}; a model that fails writes
// its message to <outdir>/error.txt and the batch goes on.
//
// onnxruntime-node is looked up in $FACEATTR_NODE_MODULES, else in
// <repo>/.cache/node/node_modules (where the test setup installs it).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.FACEATTR_NODE_MODULES || path.join(here, '..', '.cache', 'node', 'node_modules');

function die(msg) {
  process.stderr.write(`ort-run: ${msg}\n`);
  process.exit(2);
}

// --- .npy (format 1.0/2.0/3.0, little-endian, C order) ----------------------
const DTYPES = {
  '<f4': ['float32', Float32Array],
  '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array],
  '|u1': ['uint8', Uint8Array],
  '|i1': ['int8', Int8Array],
  '|b1': ['bool', Uint8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY')
    die(`${file}: not a .npy file`);
  const major = buf.readUInt8(6);
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) die(`${file}: unreadable header`);
  if (fortran[1] === 'True') die(`${file}: Fortran order is not supported`);
  const type = DTYPES[descr[1]];
  if (!type) die(`${file}: dtype ${descr[1]} is not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  const bytes = buf.subarray(start, start + count * type[1].BYTES_PER_ELEMENT);
  const data = new type[1](count);
  new Uint8Array(data.buffer).set(bytes);
  return { type: type[0], data: type[0] === 'bool' ? Array.from(data, (v) => v !== 0) : data, dims };
}

function writeNpy(file, tensor) {
  const entry = Object.entries(DTYPES).find(([, t]) => t[0] === tensor.type);
  if (!entry) die(`output type ${tensor.type} cannot be written`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${entry[0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  let body;
  if (tensor.type === 'bool') body = Buffer.from(Array.from(tensor.data, (v) => (v ? 1 : 0)));
  else body = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// --- main ---------------------------------------------------------------------
const args = process.argv.slice(2);
if (args.length < 2) die('usage: node tools/ort-run.mjs MODEL.onnx OUTDIR [NAME=IN.npy ...] | --batch JOBS.json');

let ort;
try {
  const require = createRequire(path.join(path.resolve(modulesDir), "noop.js"));
  ort = require('onnxruntime-node');
} catch (e) {
  die(`onnxruntime-node not found under ${modulesDir} (${e.message})`);
}

async function runOne(model, outdir, inputs) {
  const feeds = {};
  for (const [name, file] of Object.entries(inputs)) {
    const t = readNpy(file);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // no graph rewrites: the reference runs the ops as written
    graphOptimizationLevel: 'disabled',
  });
  for (const name of session.inputNames)
    if (!(name in feeds)) throw new Error(`input '${name}' was not given`);
  const results = await session.run(feeds);
  fs.mkdirSync(outdir, { recursive: true });
  for (const name of session.outputNames) {
    const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeNpy(path.join(outdir, `${safe}.npy`), results[name]);
  }
}

if (args[0] === '--batch') {
  const jobs = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  let failed = 0;
  for (const job of jobs) {
    try {
      await runOne(job.model, job.outdir, job.inputs || {});
    } catch (e) {
      failed++;
      fs.mkdirSync(job.outdir, { recursive: true });
      fs.writeFileSync(path.join(job.outdir, 'error.txt'), String(e && e.message ? e.message : e));
    }
  }
  process.stderr.write(`ort-run: ${jobs.length - failed}/${jobs.length} models ran\n`);
} else {
  const [model, outdir, ...pairs] = args;
  const inputs = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) die(`bad input argument '${p}' (want NAME=FILE.npy)`);
    inputs[p.slice(0, eq)] = p.slice(eq + 1);
  }
  try {
    await runOne(model, outdir, inputs);
  } catch (e) {
    die(`${model}: ${e && e.message ? e.message : e}`);
  }
}
