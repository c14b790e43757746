#!/usr/bin/env node
// Reference only, never part of the product: runs face-api's own AgeGenderNet
// (@vladmandic/face-api 1.7.15 on TensorFlow.js's pure-JS CPU backend) on RGB
// images given as .npy files, and prints one JSON line per image:
//   {"file": ..., "index": ..., "age": years, "p_male": P(male)}
//
// Each .npy is uint8 RGB, either HxWx3 (one image) or NxHxWx3 (N images of one
// size). face-api does all the preprocessing itself (pad to square, resize to
// 112, mean subtraction), exactly as it does for a tf.Tensor3D input.
//
// usage: faceapi-age-gender.mjs [--dump-input DIR] FILE.npy...
//   --dump-input DIR  also write face-api's 112x112 network input (after pad
//                     and resize, before mean subtraction) of each image as
//                     DIR/<name>_<index>.npy, float32 [112,112,3], to check
//                     other implementations of the preprocessing against it.
// Needs tools/setup-node-deps and the face-api package (tools/fetch-model-packages
// or .cache/node) for the weights.
import path from 'node:path';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpyFloat32 } from './npy.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(repo, '.cache/node/package.json'));

function fail(msg) {
  process.stderr.write(`faceapi-age-gender: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
let dumpDir = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dump-input') dumpDir = args[++i];
  else files.push(args[i]);
}
if (!files.length) fail('usage: faceapi-age-gender.mjs [--dump-input DIR] FILE.npy...');

let tf; let faceapi;
try {
  tf = require('@tensorflow/tfjs');
  // The wasm build of face-api requires only @tensorflow/tfjs(+wasm), not the
  // native tfjs-node; we then select the plain-JS CPU backend, whose
  // arithmetic (float64 JS numbers stored to float32) is the easiest to match.
  faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
} catch (e) {
  fail(`cannot load tfjs/face-api from .cache/node (run tools/setup-node-deps): ${e.message}`);
}

const modelDir = [path.join(repo, '.cache/npm/face-api/package/model'),
  path.join(repo, '.cache/node/node_modules/@vladmandic/face-api/model')]
  .find((d) => fs.existsSync(path.join(d, 'age_gender_model.bin')));
if (!modelDir) fail('face-api model folder not found (run tools/fetch-model-packages or tools/setup-node-deps)');

await tf.setBackend('cpu');
await tf.ready();
await faceapi.nets.ageGenderNet.loadFromDisk(modelDir);
if (dumpDir) fs.mkdirSync(dumpDir, { recursive: true });

for (const file of files) {
  const npy = readNpy(file);
  if (npy.dtype.slice(1) !== 'u1') fail(`${file}: expected uint8 RGB, got ${npy.dtype}`);
  const shape = npy.shape.length === 3 ? [1, ...npy.shape] : npy.shape;
  if (shape.length !== 4 || shape[3] !== 3) fail(`${file}: expected HxWx3 or NxHxWx3, got (${npy.shape})`);
  const [n, h, w] = shape;
  for (let i = 0; i < n; i++) {
    const pixels = npy.data.subarray(i * h * w * 3, (i + 1) * h * w * 3);
    const image = tf.tensor3d(Int32Array.from(pixels), [h, w, 3], 'int32');
    const result = await faceapi.nets.ageGenderNet.predictAgeAndGender(image);
    const pMale = result.gender === 'male' ? result.genderProbability : 1 - result.genderProbability;
    if (dumpDir) {
      const netInput = await faceapi.toNetInput(image);
      const batch = netInput.toBatchTensor(112, true);
      const name = path.basename(file, '.npy');
      writeNpyFloat32(path.join(dumpDir, `${name}_${i}.npy`), [112, 112, 3], batch.dataSync());
      batch.dispose();
    }
    image.dispose();
    process.stdout.write(`${JSON.stringify({ file: path.basename(file), index: i, age: result.age, p_male: pMale })}\n`);
  }
}
