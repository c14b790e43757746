#!/usr/bin/env node
// Timing server for tools/bench-nnrt: runs ONNX Runtime (onnxruntime-node,
// CPU) on request so the benchmark can interleave it with nnrt in short
// blocks without paying Node's start-up each time.
//
// stdin, one JSON request per line:
//   {"model": PATH, "threads": N, "runs": R, "inputs": {NAME: [dims]}}
// stdout, one JSON answer per line: {"median_ms": X} or {"error": MESSAGE}
// A session per (model, threads) is created on first use with
// intraOpNumThreads = N, graph optimisations "all", sequential execution,
// and warmed up with 3 runs. Inputs are fixed pseudo-random floats.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.FACEATTR_NODE_MODULES || path.join(here, '..', '.cache', 'node', 'node_modules');
const ort = createRequire(path.join(modulesDir, 'noop.js'))('onnxruntime-node');

const sessions = new Map();

async function session(model, threads, inputs) {
  const key = `${model}\n${threads}`;
  if (!sessions.has(key)) {
    const s = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3, // errors only: no notes about unused initializers
    });
    const feeds = {};
    let seed = 12345;
    for (const [name, dims] of Object.entries(inputs)) {
      const n = dims.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        data[i] = (seed >>> 8) / (1 << 24);
      }
      feeds[name] = new ort.Tensor('float32', data, dims);
    }
    for (let i = 0; i < 3; i++) await s.run(feeds);
    sessions.set(key, { s, feeds });
  }
  return sessions.get(key);
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  try {
    const req = JSON.parse(line);
    const { s, feeds } = await session(req.model, req.threads, req.inputs);
    const times = [];
    for (let i = 0; i < req.runs; i++) {
      const t0 = process.hrtime.bigint();
      await s.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ median_ms: times[Math.floor(times.length / 2)] }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e && e.message ? e.message : e) }) + '\n');
  }
}
