// Jest environment: Node's, with the typed-array constructors of the main realm shared into the
// test context (Jest already shares Buffer, ArrayBuffer and Uint8Array). onnxruntime-node hands back
// outputs as main-realm Float32Arrays and checks `instanceof Float32Array` inside the test context.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = ['Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

class SharedTypedArraysEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
