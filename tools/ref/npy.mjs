// Minimal NumPy .npy reader/writer (format 1.0/2.0/3.0, C order) for the
// Node reference scripts: uint8 images in, float32 tensors in and out.
import fs from 'node:fs';

const DTYPES = {
  '|u1': Uint8Array, '<u1': Uint8Array, '|i1': Int8Array,
  '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array,
};

export function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const order = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !order || !shape) throw new Error(`${file}: unreadable .npy header ${header}`);
  if (order[1] === 'True') throw new Error(`${file}: Fortran order is not supported`);
  const Type = DTYPES[descr[1]];
  if (!Type) throw new Error(`${file}: dtype ${descr[1]} is not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  // Copy so that the typed array is aligned whatever the header length.
  const bytes = buf.subarray(start, start + count * Type.BYTES_PER_ELEMENT);
  const data = new Type(count);
  new Uint8Array(data.buffer).set(bytes);
  return { dtype: descr[1], shape: dims, data };
}

export function writeNpyFloat32(file, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const f32 = Float32Array.from(data);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(f32.buffer)]));
}
