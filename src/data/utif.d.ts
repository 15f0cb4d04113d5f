// Minimal typing of the parts of utif (no published types) that the TIFF reader uses.
// utif is CommonJS (module.exports = UTIF), so it is typed with `export =`.
declare module 'utif' {
  const UTIF: {
    decode(buf: ArrayBuffer | Uint8Array): object[];
    decodeImage(buf: ArrayBuffer | Uint8Array, ifd: object): void;
    toRGBA8(ifd: object): Uint8Array;
  };
  export = UTIF;
}
